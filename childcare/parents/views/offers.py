from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childcare.admissions import offers as services
from childcare.models import Offer, OfferStatus
from childcare.web import run_service

# answer -> (service, success message)
ANSWERS = {
    "accept": (
        services.accept_offer,
        gettext_lazy("You accepted the place. We have sent you a confirmation."),
    ),
    "decline": (
        services.decline_offer,
        gettext_lazy("You declined the offer. Your other wishes stay on the waitlists."),
    ),
}


@login_required
def offer_respond(request, public_id):
    """The offer's answer page: both answers, then a confirmation of the chosen one; others get 404.

    Messages link here without an answer, so the page offers both; a POST without a valid
    answer changes nothing.
    """
    offer = (
        Offer.objects.select_related("wish__facility", "application__child")
        .filter(public_id=public_id, application__child__guardianships__user=request.user)
        .first()
    )
    if offer is None:
        raise Http404
    if offer.status != OfferStatus.OPEN:
        messages.info(request, _("This offer is no longer open."))
        return redirect("parents:application_detail", offer.application.public_id)
    answer = request.POST.get("answer") or request.GET.get("answer")
    answer = answer if answer in ANSWERS else None
    if request.method == "POST" and answer:
        perform, success = ANSWERS[answer]
        run_service(request, lambda: perform(offer=offer, by=request.user), success=success)
        return redirect("parents:application_list")
    if request.method == "POST":
        messages.error(request, _("Please choose whether you accept or decline the place."))
    return render(request, "childcare/applications/offer_respond.html", {"offer": offer, "answer": answer})
