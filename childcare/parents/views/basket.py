from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childcare.models import Facility
from childcare.parents.basket import add_to_basket, basket, remove_from_basket
from childcare.web import back_url
from portal.models import PortalSettings


@require_POST
def wish_add(request, slug):
    facility = get_object_or_404(Facility, slug=slug, is_active=True)
    limit = PortalSettings.load().max_wishes
    if not facility.accepts_applications:
        messages.error(
            request, _("%(facility)s is not accepting applications at the moment.") % {"facility": facility}
        )
    elif facility.slug in basket(request.session):
        messages.info(request, _("%(facility)s is already on your wish list.") % {"facility": facility})
    elif not add_to_basket(request.session, facility.slug, limit=limit):
        messages.error(request, _("Your wish list is full: at most %(max)s facilities.") % {"max": limit})
    else:
        messages.success(request, _("%(facility)s was added to your wish list.") % {"facility": facility})
    return redirect(back_url(request, facility.get_absolute_url()))


@require_POST
def wish_remove(request, slug):
    remove_from_basket(request.session, slug)
    messages.success(request, _("The facility was removed from your wish list."))
    return redirect(back_url(request, "parents:facility_search"))
