"""Plain words for statuses, points and timeline entries, as parents read them."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from childcare.models import ApplicationStatus

# Each sentence follows the status badge, so it adds what the status means instead of repeating it.
STATUS_SENTENCES = {
    ApplicationStatus.DRAFT: _("Complete the steps and submit the application."),
    ApplicationStatus.SUBMITTED: _(
        "Your child is on the waitlists of the facilities you chose. We will write to you when a place "
        "is offered."
    ),
    ApplicationStatus.WAITING: _(
        "No place can be offered yet. Your child stays on the waitlists of the facilities you chose."
    ),
    ApplicationStatus.OFFERED: _("Please answer the offer before the deadline."),
    ApplicationStatus.PLACED: _("Your child has a place."),
    ApplicationStatus.WITHDRAWN: _("You withdrew this application. You can make a new one at any time."),
    ApplicationStatus.EXPIRED: _(
        "Your interest was not confirmed in time, so your child is no longer on the waitlists. "
        "You can make a new application."
    ),
    ApplicationStatus.CLOSED: _("No facility on this application can offer a place any more."),
}
ALL_WISHES_REJECTED = _("All wishes were rejected. You can make a new application with other facilities.")

CRITERIA_LABELS = {
    "residence": _("Lives in the municipality"),
    "legal_entitlement": _("Legal entitlement at the start (at least 1 year old)"),
    "single_parent": _("Single parent"),
    "working_guardians": _("Guardians working or in training"),
    "hardship": _("Hardship / youth-office referral"),
    "sibling": _("Sibling already at this facility"),
    "months_waited": _("Months waited since submission"),
}

EVENT_LABELS = {
    "created": _("Application started"),
    "submitted": _("Application submitted"),
    "waitlisted": _("Placed on the waitlists"),
    "edited": _("Application changed"),
    "withdrawn": _("Application withdrawn"),
    "wish_withdrawn": _("Wish withdrawn"),
    "wish_rejected": _("Wish rejected by the facility"),
    "interest_confirmed": _("Interest confirmed"),
    "offer_made": _("Offer received"),
    "offer_accepted": _("Offer accepted"),
    "offer_declined": _("Offer declined"),
    "offer_expired": _("Offer expired"),
    "offer_withdrawn": _("Offer withdrawn by the facility"),
    "expired": _("Application expired"),
}


def status_sentence(status: str, *, all_wishes_rejected: bool = False) -> str:
    if status == ApplicationStatus.CLOSED and all_wishes_rejected:
        return str(ALL_WISHES_REJECTED)
    return str(STATUS_SENTENCES.get(status, ""))


def explain_points(explanation: dict[str, int]) -> list[str]:
    """One line per criterion, e.g. 'Lives in the municipality: 30 points'."""
    return [
        f"{CRITERIA_LABELS.get(criterion, criterion)}: "
        + ngettext("%(points)s point", "%(points)s points", points) % {"points": points}
        for criterion, points in explanation.items()
    ]


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))
