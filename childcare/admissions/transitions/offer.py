"""The offer's state machine: open -> accepted | declined | expired | withdrawn.

Making and closing an offer moves its wish and its application too; the offer's event
records the application's step. Moving the place on to the next family after an offer
closes is the caller's (service's) job: it needs new locks and a permission of its own.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare.actors import SYSTEM, Actor
from childcare.admissions.events import record_event
from childcare.admissions.messages import tell_facility_staff, tell_guardians
from childcare.admissions.transitions import application as application_transitions
from childcare.admissions.transitions import placement as placement_transitions
from childcare.admissions.transitions import steps
from childcare.admissions.transitions import wish as wish_transitions
from childcare.api import webhooks
from childcare.errors import DomainError
from childcare.facilities.availability import refresh_availability
from childcare.models import (
    ActorKind,
    Application,
    ApplicationStatus,
    EventKind,
    Offer,
    OfferStatus,
    Placement,
    Wish,
    WishStatus,
)

S = OfferStatus
ALLOWED = {
    S.OPEN: {S.ACCEPTED, S.DECLINED, S.EXPIRED, S.WITHDRAWN},
    S.ACCEPTED: set(),
    S.DECLINED: set(),
    S.EXPIRED: set(),
    S.WITHDRAWN: set(),
}


def move(offer: Offer, target: str) -> str:
    return steps.move(offer, ALLOWED, OfferStatus, target, decided_at=timezone.now())


def start_date_for(application: Application, *, not_before: datetime.date | None = None) -> datetime.date:
    """The default start of an offer: the family's desired start, never before ``not_before``.

    One rule for a single offer (not_before = tomorrow), 'offer the next places' (the start
    the staff chose) and the allocation round (its target date).
    """
    desired = application.desired_start_date
    if not_before is None:
        return desired or timezone.localdate() + datetime.timedelta(days=1)
    return max(not_before, desired or not_before)


def open_offer(
    *,
    wish: Wish,
    by: Actor,
    start_date: datetime.date,
    expires_at: datetime.datetime,
    announce: bool = True,
) -> Offer:
    """Offer ``wish``'s place; the wish and the application become 'offered'.

    ``announce=False`` leaves the family's message to the caller (the allocation round
    sends one result message per family instead).
    """
    application = wish.application
    steps.require_transaction()
    steps.check_step(wish_transitions.ALLOWED, WishStatus, wish.status, WishStatus.OFFERED)
    steps.check_step(
        application_transitions.ALLOWED, ApplicationStatus, application.status, ApplicationStatus.OFFERED
    )
    try:
        with transaction.atomic():
            offer = Offer.objects.create(
                application=application,
                wish=wish,
                start_date=start_date,
                expires_at=expires_at,
                created_by=by if by.is_authenticated else None,
            )
    except IntegrityError:
        raise DomainError(_("This application already has an open offer.")) from None
    wish_transitions.move(wish, WishStatus.OFFERED)
    old = application_transitions.move(application, ApplicationStatus.OFFERED)
    record_event(
        application=application,
        kind=EventKind.OFFER_MADE,
        by=by,
        actor_kind=steps.staff_actor_kind(by),
        wish=wish,
        from_status=old,
        to_status=application.status,
    )
    _refresh(wish)
    if announce:
        tell_guardians(
            application=application,
            kind="offer_made",
            key=f"offer:{offer.pk}:made",
            context={"offer": offer, "facility": wish.facility},
            attachments=[{"kind": "offer_letter", "object_id": offer.pk}],
        )
    return offer


def accept(*, offer: Offer, by: Actor) -> Placement:
    """The family takes the place: the placement starts, the application's other wishes end."""
    application, wish = offer.application, offer.wish
    steps.check_step(ALLOWED, OfferStatus, offer.status, S.ACCEPTED)
    placement = placement_transitions.start(
        wish=wish, start_date=offer.start_date, care_hours_per_week=None, source_offer=offer
    )
    move(offer, S.ACCEPTED)
    wish_transitions.move(wish, WishStatus.ACCEPTED)
    wish_transitions.close_others(wish)
    old = application_transitions.move(application, ApplicationStatus.PLACED)
    _refresh(wish)
    record_event(
        application=application,
        kind=EventKind.OFFER_ACCEPTED,
        by=by,
        actor_kind=ActorKind.FAMILY,
        wish=wish,
        from_status=old,
        to_status=application.status,
    )
    tell_guardians(
        application=application,
        kind="offer_accepted",
        key=f"offer:{offer.pk}:accepted",
        context={"offer": offer, "placement": placement, "facility": wish.facility},
        attachments=[{"kind": "placement_confirmation", "object_id": placement.pk}],
    )
    _tell_staff(offer, answer="accepted")
    webhooks.offer_accepted(offer=offer, placement=placement)
    return placement


def _close(offer: Offer, *, target: str, wish_target: str, by: Actor, kind: EventKind, actor_kind: ActorKind):
    """End an open offer without a place; the family keeps waiting on its other wishes."""
    move(offer, target)
    wish_transitions.move(offer.wish, wish_target)
    _refresh(offer.wish)
    application = offer.application
    old = application_transitions.after_offer_closed(application)
    record_event(
        application=application,
        kind=kind,
        by=by,
        actor_kind=actor_kind,
        wish=offer.wish,
        from_status=old,
        to_status=application.status,
    )


def decline(*, offer: Offer, by: Actor) -> None:
    """The family says no to this place."""
    _close(
        offer,
        target=S.DECLINED,
        wish_target=WishStatus.DECLINED,
        by=by,
        kind=EventKind.OFFER_DECLINED,
        actor_kind=ActorKind.FAMILY,
    )
    _tell_family(offer, kind="offer_declined", event="declined")
    _tell_staff(offer, answer="declined")


def expire(*, offer: Offer) -> None:
    """The deadline passed without an answer; only the portal does this, on its schedule."""
    _close(
        offer,
        target=S.EXPIRED,
        wish_target=WishStatus.EXPIRED,
        by=SYSTEM,
        kind=EventKind.OFFER_EXPIRED,
        actor_kind=ActorKind.SYSTEM,
    )
    _tell_family(offer, kind="offer_expired", event="expired")


def withdraw(*, offer: Offer, by: Actor) -> None:
    """Staff take the offer back (e.g. made by mistake); the wish returns to the waitlist."""
    _close(
        offer,
        target=S.WITHDRAWN,
        wish_target=WishStatus.ACTIVE,
        by=by,
        kind=EventKind.OFFER_WITHDRAWN,
        actor_kind=steps.staff_actor_kind(by),
    )
    _tell_family(offer, kind="offer_withdrawn", event="withdrawn")


def give_up(*, offer: Offer, by: Actor) -> None:
    """The family withdraws the whole application while this offer is open.

    The offer ends like a declined one (its own event, the facility told), but the
    application's step is the withdrawal's, which the caller takes next.
    """
    move(offer, S.WITHDRAWN)
    wish_transitions.move(offer.wish, WishStatus.WITHDRAWN)
    _refresh(offer.wish)
    record_event(
        application=offer.application,
        kind=EventKind.OFFER_GIVEN_UP,
        by=by,
        actor_kind=ActorKind.FAMILY,
        wish=offer.wish,
    )
    _tell_staff(offer, answer="withdrawn")


def _refresh(wish: Wish) -> None:
    """The program's stored free places follow the offer and placement just written."""
    refresh_availability(programs=[(wish.facility_id, wish.age_band)])


def _tell_family(offer: Offer, *, kind: str, event: str) -> None:
    tell_guardians(
        application=offer.application,
        kind=kind,
        key=f"offer:{offer.pk}:{event}",
        context={"offer": offer, "facility": offer.wish.facility},
    )


def _tell_staff(offer: Offer, *, answer: str) -> None:
    tell_facility_staff(
        facility=offer.wish.facility,
        kind="staff_offer_answered",
        key=f"offer:{offer.pk}:answered",
        context={"offer": offer, "answer": answer},
    )
