"""The wish's state machine: active -> offered -> accepted | declined | expired; or inactive,
rejected, withdrawn. A declined, expired or withdrawn wish can be chosen again while editing."""

from django.db.models import QuerySet

from childcare.actors import Actor
from childcare.admissions.events import record_event
from childcare.admissions.messages import tell_guardians
from childcare.admissions.transitions import steps
from childcare.api import webhooks
from childcare.models import WAITING_APPLICATION_STATUSES, ActorKind, Application, EventKind, Wish, WishStatus

S = WishStatus
ALLOWED = {
    S.ACTIVE: {S.OFFERED, S.ACCEPTED, S.INACTIVE, S.REJECTED, S.WITHDRAWN},
    S.OFFERED: {S.ACCEPTED, S.DECLINED, S.EXPIRED, S.ACTIVE, S.WITHDRAWN},
    S.DECLINED: {S.ACTIVE},
    S.EXPIRED: {S.ACTIVE},
    S.WITHDRAWN: {S.ACTIVE},
    S.ACCEPTED: set(),
    S.INACTIVE: set(),
    S.REJECTED: set(),
}


def move(wish: Wish, target: str, **fields) -> str:
    """One step of the table, without an event: for a transition or edit that writes its own."""
    return steps.move(wish, ALLOWED, WishStatus, target, **fields)


def move_all(wishes: QuerySet[Wish], target: str) -> int:
    return steps.move_all(wishes, ALLOWED, WishStatus, target)


def close_others(wish: Wish) -> int:
    """The child has a place through ``wish``: every other waiting wish of the application ends."""
    return move_all(wish.application.wishes.filter(status=S.ACTIVE).exclude(pk=wish.pk), S.INACTIVE)


def nothing_left_waiting(application: Application) -> bool:
    """A waiting application without an active wish has nothing left to wait for: it closes."""
    return (
        application.status in WAITING_APPLICATION_STATUSES
        and not application.wishes.filter(status=S.ACTIVE).exists()
    )


def withdraw(*, wish: Wish, by: Actor) -> None:
    """The family takes one facility off its application."""
    old = move(wish, S.WITHDRAWN)
    record_event(
        application=wish.application,
        kind=EventKind.WISH_WITHDRAWN,
        by=by,
        actor_kind=ActorKind.FAMILY,
        wish=wish,
        from_status=old,
        to_status=wish.status,
    )
    webhooks.wish_withdrawn(wish=wish)


def reject(*, wish: Wish, by: Actor, reason: str) -> None:
    """The facility takes the wish off its waitlist, with a reason the family reads."""
    old = move(wish, S.REJECTED, rejection_reason=reason)
    record_event(
        application=wish.application,
        kind=EventKind.WISH_REJECTED,
        by=by,
        actor_kind=steps.staff_actor_kind(by),
        wish=wish,
        from_status=old,
        to_status=wish.status,
        note=reason,
    )
    if nothing_left_waiting(wish.application):
        return  # the application closes next; its message (application.close) tells the family both
    tell_guardians(
        application=wish.application,
        kind="wish_rejected",
        key=f"wish:{wish.pk}:rejected",
        context={"facility": wish.facility, "reason": reason},
    )
