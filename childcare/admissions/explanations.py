"""Plain words for statuses, points and timeline entries, as parents read them."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from childcare.models import ActorKind, ApplicationEvent, ApplicationStatus, EventKind

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


EVENT_LABELS = dict(EventKind.choices)


def event_label(kind: str) -> str:
    # A kind dropped from EventKind may survive in old rows; show it raw rather than fail the page.
    return str(EVENT_LABELS.get(kind, kind))


def actor_label(event: ApplicationEvent, *, for_staff: bool = False) -> str:
    """Who did it, as the family would say it (see ``actor_name``)."""
    facility = None
    if event.actor_kind == ActorKind.FACILITY and event.wish_id:  # the wish is read only then
        facility = event.wish.facility.name
    return actor_name(event.actor_kind, facility=facility, for_staff=for_staff)


def actor_name(actor_kind: str, *, facility: str | None, for_staff: bool = False) -> str:
    """Who did it, as the family would say it: 'You', the facility's name, the office, 'automatically'.

    Staff act in the name of their facility (the event's wish says which); the timeline never
    names a staff member to the family. Staff read 'the family' where the family reads 'You'.
    """
    if for_staff and actor_kind == ActorKind.FAMILY:
        return pgettext("timeline actor", "the family")
    if actor_kind == ActorKind.FACILITY:
        return facility or str(ActorKind.FACILITY.label)
    if actor_kind == ActorKind.SYSTEM:
        return pgettext("timeline actor", "automatically")
    return str(ActorKind(actor_kind).label)
