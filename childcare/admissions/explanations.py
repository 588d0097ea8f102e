"""Plain words for statuses, points and timeline entries, as parents read them."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from childcare.models import ApplicationStatus

STATUS_SENTENCES = {
    ApplicationStatus.DRAFT: _("Not submitted yet. Complete the steps and submit the application."),
    ApplicationStatus.SUBMITTED: _("Submitted. Your child is on the waitlists of the facilities you chose."),
    ApplicationStatus.WAITING: _(
        "Waiting for a place. Your child is on the waitlists of the facilities you chose."
    ),
    ApplicationStatus.OFFERED: _("You have an offer. Please answer it before the deadline."),
    ApplicationStatus.PLACED: _("Your child has a place."),
    ApplicationStatus.WITHDRAWN: _("You withdrew this application."),
    ApplicationStatus.EXPIRED: _("This application expired because interest was not confirmed."),
    ApplicationStatus.CLOSED: _("This application is closed."),
}

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


def status_sentence(status: str) -> str:
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
