"""Offers of a place: made by staff, answered by the family, expiring at their deadline.

Each service checks who may act, locks its rows by the locking rule (capacity, application,
wish, offer) and calls one offer transition. After an offer ends without a place, the
place moves on to the next family when the facility offers automatically.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.actors import SYSTEM, Actor, require_actor
from childcare.admissions.locking import Locked, lock_rows
from childcare.admissions.transitions import offer as offer_transitions
from childcare.errors import DomainError
from childcare.facilities import capacity
from childcare.models import (
    WAITING_APPLICATION_STATUSES,
    Offer,
    OfferStatus,
    Placement,
    Wish,
    WishStatus,
)
from portal.models import PortalSettings

start_date_for = offer_transitions.start_date_for


def default_deadline(*, now: datetime.datetime | None = None) -> datetime.datetime:
    """End of the day ``offer_window_days`` from now, in the portal's time zone."""
    now = timezone.localtime(now or timezone.now())
    day = now.date() + datetime.timedelta(days=PortalSettings.load().offer_window_days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def lock_waiting_wish(*, wish: Wish, start_date: datetime.date, refusal: str) -> Wish:
    """Lock the wish's program, application and wish (the locking rule's order) for giving it a place.

    Refused with ``refusal`` unless the wish still waits on its list; needs a free place from
    ``start_date`` on. Returns the locked wish (with its application).
    """
    locked = lock_rows(
        capacities=[(wish.facility_id, wish.age_band)],
        applications=[wish.application_id],
        wishes=[wish.pk],
    )
    wish = locked.wishes[wish.pk]
    if wish.status != WishStatus.ACTIVE or wish.application.status not in WAITING_APPLICATION_STATUSES:
        raise DomainError(refusal)
    require_free_place(locked, wish=wish, start_date=start_date)
    return wish


def require_free_place(
    locked: Locked, *, wish: Wish, start_date: datetime.date, holding: Offer | None = None
) -> None:
    """After locking the program's capacity row: is a place free from ``start_date`` on?

    Open offers already hold their place, so an offer being accepted (``holding``) is left
    out of the count instead of being counted twice.
    """
    taken = capacity.occupancies(
        facility_id=wish.facility_id,
        age_band=wish.age_band,
        from_date=start_date,
        except_offer_id=holding.pk if holding else None,
    )
    if (
        capacity.lowest_free_places_from(locked.places(wish.facility_id, wish.age_band), taken, start_date)
        > 0
    ):
        return
    if holding:
        raise DomainError(
            _(
                "The facility no longer has a free place for this offer (its capacity was reduced). "
                "Please contact the facility."
            )
        )
    raise DomainError(_("There is no free place for this age band from that date."))


def make_offer(
    *,
    wish: Wish,
    start_date: datetime.date,
    by: Actor,
    expires_at: datetime.datetime | None = None,
    announce: bool = True,
) -> Offer:
    """Offer the wished facility's place from ``start_date``; needs a free place from then on.

    Staff of the facility (or the office) make offers; SYSTEM may too, for the successor
    offers of a facility that offers automatically and for the allocation round.
    """
    require_actor(by)
    if by is not SYSTEM and not permissions.can_act_on_wish(by, wish):
        raise DomainError(_("You cannot make offers for this facility."))
    expires_at = expires_at or default_deadline()
    if expires_at <= timezone.now():
        raise DomainError(_("The deadline must be in the future."))
    if start_date < timezone.localdate():
        raise DomainError(_("The start date must not be in the past."))
    with transaction.atomic():
        wish = lock_waiting_wish(
            wish=wish, start_date=start_date, refusal=_("This wish is not waiting for an offer.")
        )
        return offer_transitions.open_offer(
            wish=wish, by=by, start_date=start_date, expires_at=expires_at, announce=announce
        )


def _lock_offer(offer: Offer) -> Locked:
    """The offer's program capacity first (a successor offer needs it), then application, wish, offer."""
    return lock_rows(
        capacities=[(offer.wish.facility_id, offer.wish.age_band)],
        applications=[offer.application_id],
        wishes=[offer.wish_id],
        offers=[offer.pk],
    )


def _lock_open_offer(offer: Offer) -> tuple[Offer, Locked]:
    locked = _lock_offer(offer)
    offer = locked.offers[offer.pk]
    if offer.status != OfferStatus.OPEN:
        raise DomainError(_("This offer is no longer open."))
    return offer, locked


def accept_offer(*, offer: Offer, by: Actor) -> Placement:
    """The family takes the place: the placement starts, all other wishes close.

    The free places are counted again under the lock: the office may have cut the capacity
    since the offer was made.
    """
    require_actor(by)
    if not permissions.can_answer_offer(by, offer):
        raise DomainError(_("You cannot answer this offer."))
    with transaction.atomic():
        offer, locked = _lock_open_offer(offer)
        if offer.expires_at <= timezone.now():
            raise DomainError(_("The deadline for this offer has passed; it can no longer be accepted."))
        require_free_place(locked, wish=offer.wish, start_date=offer.start_date, holding=offer)
        return offer_transitions.accept(offer=offer, by=by)


def _to_successor(offer: Offer) -> None:
    # Imported here: the waitlist actions build on this module.
    from childcare.admissions.waitlist_actions import offer_to_successor

    offer_to_successor(offer)


def decline_offer(*, offer: Offer, by: Actor) -> Offer:
    """The family says no to this place; it goes to the next candidate."""
    require_actor(by)
    if not permissions.can_answer_offer(by, offer):
        raise DomainError(_("You cannot answer this offer."))
    with transaction.atomic():
        offer, _locked = _lock_open_offer(offer)
        offer_transitions.decline(offer=offer, by=by)
        _to_successor(offer)
    return offer


def expire_offer(*, offer: Offer, by: Actor, now: datetime.datetime | None = None) -> bool:
    """Close an open offer whose deadline has passed; False if it was answered or is not due.

    Only the portal (``by=SYSTEM``) expires offers, on its schedule.
    """
    require_actor(by)
    if by is not SYSTEM:
        raise DomainError(_("Offers expire by themselves at their deadline."))
    now = now or timezone.now()
    with transaction.atomic():
        offer = _lock_offer(offer).offers[offer.pk]
        if offer.status != OfferStatus.OPEN or offer.expires_at > now:
            return False
        offer_transitions.expire(offer=offer)
        _to_successor(offer)
    return True


def withdraw_offer(*, offer: Offer, by: Actor) -> Offer:
    """Staff take back an open offer (e.g. made by mistake); the wish returns to the waitlist."""
    require_actor(by)
    if not permissions.can_act_on_wish(by, offer.wish):
        raise DomainError(_("You cannot withdraw offers for this facility."))
    with transaction.atomic():
        offer, _locked = _lock_open_offer(offer)
        offer_transitions.withdraw(offer=offer, by=by)
        _to_successor(offer)
    return offer
