"""The application's state machine: draft -> submitted -> (offered <-> waiting) -> an end.

Offers and placements move the application as part of their own step (and write their
own event); this module owns the steps a family, staff or the portal take on the whole
application.
"""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.actors import SYSTEM, Actor
from childcare.admissions.events import record_event
from childcare.admissions.messages import tell_guardians, tell_staff_of_facilities
from childcare.admissions.transitions import steps
from childcare.admissions.transitions import wish as wish_transitions
from childcare.models import (
    LISTED_WISH_STATUSES,
    ActorKind,
    Application,
    ApplicationStatus,
    EventKind,
    Wish,
    WishStatus,
)

S = ApplicationStatus
ALLOWED = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.OFFERED, S.PLACED, S.WITHDRAWN, S.EXPIRED, S.CLOSED},
    S.WAITING: {S.OFFERED, S.PLACED, S.WITHDRAWN, S.EXPIRED, S.CLOSED},
    S.OFFERED: {S.WAITING, S.PLACED, S.WITHDRAWN, S.CLOSED},
    S.PLACED: set(),
    S.WITHDRAWN: set(),
    S.EXPIRED: set(),
    S.CLOSED: set(),
}


def move(application: Application, target: str, **fields) -> str:
    """One step of the table, without an event: for a transition that writes its own."""
    return steps.move(application, ALLOWED, ApplicationStatus, target, **fields)


def move_all(applications: QuerySet[Application], target: str) -> int:
    """The same step for many applications in one UPDATE (a bulk transition writes the events)."""
    return steps.move_all(applications, ALLOWED, ApplicationStatus, target)


def submit(*, application: Application, by: Actor) -> None:
    """The family sends the draft; its wishes join the facilities' waitlists."""
    now = timezone.now()
    old = move(application, S.SUBMITTED, submitted_at=now, last_confirmed_at=now)
    record_event(
        application=application,
        kind=EventKind.SUBMITTED,
        by=by,
        actor_kind=ActorKind.FAMILY,
        from_status=old,
        to_status=application.status,
    )
    tell_guardians(
        application=application,
        kind="application_submitted",
        key=f"application:{application.pk}:submitted",
        context={},
        attachments=[{"kind": "application_receipt", "object_id": application.pk}],
    )


def withdraw(*, application: Application, by: Actor) -> None:
    """The family no longer needs a place. An open offer must be given up first (offer.give_up)."""
    listed = application.wishes.filter(status__in=LISTED_WISH_STATUSES)
    facilities = [wish.facility for wish in listed.select_related("facility").order_by("rank")]
    old = move(application, S.WITHDRAWN)
    wish_transitions.move_all(listed, WishStatus.WITHDRAWN)
    record_event(
        application=application,
        kind=EventKind.WITHDRAWN,
        by=by,
        actor_kind=ActorKind.FAMILY,
        from_status=old,
        to_status=application.status,
    )
    if old == S.DRAFT:
        return  # a draft nobody saw: discarding it needs no letter
    key = f"application:{application.pk}:withdrawn"
    tell_guardians(application=application, kind="application_withdrawn", key=key, context={})
    # A facility whose open offer was given up already heard it from offer.give_up.
    tell_staff_of_facilities(
        facilities=facilities,
        kind="staff_application_withdrawn",
        key=key,
        context={"application": application},
    )


def expire(*, application: Application) -> None:
    """Interest was not confirmed in time; only the portal does this, on its schedule."""
    old = move(application, S.EXPIRED)
    wish_transitions.move_all(application.wishes.filter(status=WishStatus.ACTIVE), WishStatus.WITHDRAWN)
    record_event(
        application=application,
        kind=EventKind.EXPIRED,
        by=SYSTEM,
        actor_kind=ActorKind.SYSTEM,
        from_status=old,
        to_status=application.status,
    )
    tell_guardians(
        application=application,
        kind="application_expired",
        key=f"application:{application.pk}:expired",
        context={},
    )


def close(*, application: Application, by: Actor, note: str = "", wish: Wish | None = None) -> None:
    """No wish is left on any waitlist (e.g. the last one was rejected): the application ends.

    ``wish`` names the facility whose step closed it, so the timeline can say who acted.
    """
    old = move(application, S.CLOSED)
    record_event(
        application=application,
        kind=EventKind.CLOSED,
        by=by,
        actor_kind=steps.staff_actor_kind(by),
        from_status=old,
        to_status=application.status,
        note=note,
        wish=wish,
    )
    tell_guardians(
        application=application,
        kind="application_closed",
        key=f"application:{application.pk}:closed",
        context={"facility": wish.facility if wish else None, "reason": note},
        link=reverse("parents:application_start"),
        link_label=_("Start a new application"),
    )


def after_offer_closed(application: Application) -> str:
    """An offer ended without a place: wait on the other wishes, or close if none is left."""
    still_waiting = application.wishes.filter(status=WishStatus.ACTIVE).exists()
    return move(application, S.WAITING if still_waiting else S.CLOSED)
