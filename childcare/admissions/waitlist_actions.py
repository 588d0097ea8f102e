"""What facility staff (and the municipal office) do on a waitlist besides single offers."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.actors import SYSTEM, Actor, require_actor
from childcare.admissions import waitlist
from childcare.admissions.events import record_event
from childcare.admissions.locking import lock_rows
from childcare.admissions.offers import lock_waiting_wish, make_offer, start_date_for
from childcare.admissions.transitions import application as application_transitions
from childcare.admissions.transitions import placement as placement_transitions
from childcare.admissions.transitions import wish as wish_transitions
from childcare.admissions.transitions.steps import staff_actor_kind
from childcare.errors import DomainError
from childcare.facilities import capacity
from childcare.models import (
    WAITING_APPLICATION_STATUSES,
    Application,
    ApplicationEvent,
    EventKind,
    Facility,
    Offer,
    OfferStatus,
    Placement,
    Wish,
    WishStatus,
)

MAX_BULK_OFFERS = 50
CANDIDATES_LOOKED_AT = 200


def _require_staff(by: Actor, facility: Facility) -> None:
    """Staff of the facility or the office; SYSTEM never passes here."""
    require_actor(by)
    if not permissions.is_facility_staff(by, facility):
        raise DomainError(_("You cannot act for this facility."))


def reject_wish(*, wish: Wish, by: Actor, reason: str) -> Wish:
    """Take a wish off the facility's waitlist with a reason the family will read.

    If it was the application's last waiting wish, the application closes (its own event).
    """
    _require_staff(by, wish.facility)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Please give a reason; the family will read it."))
    with transaction.atomic():
        locked = lock_rows(applications=[wish.application_id], wishes=[wish.pk])
        wish = locked.wishes[wish.pk]
        if wish.status != WishStatus.ACTIVE:
            raise DomainError(_("Only a wish on the waitlist can be rejected."))
        wish_transitions.reject(wish=wish, by=by, reason=reason)
        application = wish.application
        if wish_transitions.nothing_left_waiting(application):
            application_transitions.close(application=application, by=by, note=reason, wish=wish)
    return wish


def record_placement(
    *, wish: Wish, by: Actor, start_date: datetime.date, care_hours_per_week: int | None = None
) -> Placement:
    """A place agreed outside the portal (e.g. at the facility's door): recorded at once, no offer.

    Needs a free place from ``start_date`` on, like an offer.
    """
    _require_staff(by, wish.facility)
    with transaction.atomic():
        wish = lock_waiting_wish(
            wish=wish, start_date=start_date, refusal=_("This wish is not waiting for a place.")
        )
        return placement_transitions.record(
            wish=wish, by=by, start_date=start_date, care_hours_per_week=care_hours_per_week
        )


def add_note(
    *, application: Application, by: Actor, text: str, facility: Facility | None = None
) -> ApplicationEvent:
    """An internal note on the timeline; families never see it.

    ``facility`` is the one the writer acts for: only its staff (and the office) read the note.
    Staff must name one of the facilities they may see the application for; without one the
    first such facility (by the family's ranking) is taken. The office writes without a facility.
    """
    require_actor(by)
    if not permissions.can_view_application(by, application) or permissions.is_guardian(
        by, application.child
    ):
        raise DomainError(_("You cannot add notes to this application."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("The note is empty."))
    facility = _note_facility(application=application, by=by, facility=facility)
    return record_event(
        application=application,
        kind=EventKind.NOTE,
        by=by,
        actor_kind=staff_actor_kind(by),
        facility=facility,
        note=text[:4000],
        visible_to_parents=False,
    )


def _note_facility(*, application: Application, by, facility: Facility | None) -> Facility | None:
    allowed = permissions.need_to_know_facility_ids(by, application)
    if facility is not None:
        if facility.pk in allowed or permissions.is_municipal_office(by):
            return facility
        raise DomainError(_("You cannot add notes to this application."))
    if not allowed:
        return None  # the office, acting for no facility
    wish = application.wishes.filter(facility_id__in=allowed).order_by("rank").first()
    return wish.facility if wish else Facility.objects.filter(pk__in=allowed).order_by("name").first()


def _eligible(facility: Facility, age_band: str, *, skip_application_id: int | None = None):
    """Top of the waitlist first: active wishes of families without an open offer."""
    wishes = (
        waitlist.waitlist(facility_id=facility.pk, age_band=age_band)
        .filter(status=WishStatus.ACTIVE, application__status__in=WAITING_APPLICATION_STATUSES)
        .exclude(application__offers__status=OfferStatus.OPEN)
        .select_related("application")
    )
    return wishes.exclude(application_id=skip_application_id) if skip_application_id else wishes


def offer_next(
    *,
    facility: Facility,
    age_band: str,
    start_date: datetime.date,
    by: Actor,
    count: int = 1,
    expires_at: datetime.datetime | None = None,
    skip_application_id: int | None = None,
) -> list[Offer]:
    """Offer free places to the next ``count`` eligible candidates, never more than places are free.

    SYSTEM may do this for a facility that offers automatically (see ``offer_to_successor``).
    """
    require_actor(by)
    if by is not SYSTEM:
        _require_staff(by, facility)
    if not 1 <= count <= MAX_BULK_OFFERS:
        raise DomainError(_("Offer between 1 and %(max)s places at once.") % {"max": MAX_BULK_OFFERS})
    places = capacity.places_for(facility_id=facility.pk, age_band=age_band)
    taken = capacity.occupancies(facility_id=facility.pk, age_band=age_band, from_date=start_date)
    free = capacity.lowest_free_places_from(places, taken, start_date)
    if free <= 0:
        raise DomainError(_("There is no free place for this age band from that date."))
    offers = []
    for wish in _eligible(facility, age_band, skip_application_id=skip_application_id)[:CANDIDATES_LOOKED_AT]:
        if len(offers) >= min(count, free):
            break
        start = start_date_for(wish.application, not_before=start_date)
        try:
            offers.append(make_offer(wish=wish, start_date=start, by=by, expires_at=expires_at))
        except DomainError:
            continue
    return offers


def offer_to_successor(offer: Offer) -> list[Offer]:
    """After a decline, expiry or withdrawal, a facility that offers automatically moves on.

    The family whose offer just ended is skipped, so a withdrawn offer is not simply made again.
    """
    facility = offer.wish.facility
    if not facility.offers_automatically:
        return []
    try:
        return offer_next(
            facility=facility,
            age_band=offer.wish.age_band,
            start_date=offer.start_date,
            by=SYSTEM,
            skip_application_id=offer.application_id,
        )
    except DomainError:
        return []
