from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from childcare.admissions import offers as services
from childcare.models import Offer
from childcare.web import run_service

ANSWERS = ("accept", "decline")


@login_required
def offer_respond(request, public_id):
    """Confirm, then accept or decline an offer for one's own child; others get 404."""
    offer = (
        Offer.objects.select_related("wish__facility", "application__child")
        .filter(public_id=public_id, application__child__guardianships__user=request.user)
        .first()
    )
    if offer is None:
        raise Http404
    answer = request.POST.get("answer") or request.GET.get("answer")
    if answer not in ANSWERS:
        answer = "accept"
    if request.method == "POST":
        if answer == "accept":
            run_service(
                request,
                lambda: services.accept_offer(offer=offer, by=request.user),
                success=_("You accepted the place. We have sent you a confirmation."),
            )
        else:
            run_service(
                request,
                lambda: services.decline_offer(offer=offer, by=request.user),
                success=_("You declined the offer. Your other wishes stay on the waitlists."),
            )
        return redirect("parents:application_list")
    return render(request, "childcare/applications/offer_respond.html", {"offer": offer, "answer": answer})
