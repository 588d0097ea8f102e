"""What facility staff (and the municipal office) do on a waitlist besides single offers."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.admissions import waitlist
from childcare.admissions.events import record_event
from childcare.admissions.messages import tell_guardians
from childcare.admissions.offers import OFFERABLE_APPLICATION_STATUSES, accept_offer, make_offer
from childcare.errors import DomainError
from childcare.facilities import capacity
from childcare.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Facility,
    Offer,
    OfferStatus,
    Placement,
    Wish,
    WishStatus,
)

MAX_BULK_OFFERS = 50
CANDIDATES_LOOKED_AT = 200


def _require_staff(by, facility: Facility) -> None:
    if by is not None and not permissions.is_facility_staff(by, facility):
        raise DomainError(_("You cannot act for this facility."))


def reject_wish(*, wish: Wish, by, reason: str) -> Wish:
    """Take a wish off the facility's waitlist with a reason the family will read."""
    _require_staff(by, wish.facility)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Please give a reason; the family will read it."))
    with transaction.atomic():
        wish = (
            Wish.objects.select_for_update().select_related("facility", "application__child").get(pk=wish.pk)
        )
        if wish.status != WishStatus.ACTIVE:
            raise DomainError(_("Only a wish on the waitlist can be rejected."))
        wish.status, wish.rejection_reason = WishStatus.REJECTED, reason
        wish.save(update_fields=["status", "rejection_reason", "updated_at"])
        application = wish.application
        record_event(
            application=application,
            kind="wish_rejected",
            by=by,
            wish=wish,
            from_status=WishStatus.ACTIVE,
            to_status=WishStatus.REJECTED,
            note=reason,
        )
        if not application.wishes.filter(status=WishStatus.ACTIVE).exists() and application.status in (
            OFFERABLE_APPLICATION_STATUSES
        ):
            Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.CLOSED)
        tell_guardians(
            application=application,
            kind="wish_rejected",
            key=f"wish:{wish.pk}:rejected",
            context={"facility": wish.facility, "reason": reason},
        )
    return wish


def record_placement(
    *, wish: Wish, by, start_date: datetime.date, care_hours_per_week: int | None = None
) -> Placement:
    """A place agreed outside the portal (e.g. at the facility's door) is recorded like an accepted offer."""
    _require_staff(by, wish.facility)
    with transaction.atomic():
        offer = make_offer(
            wish=wish,
            start_date=start_date,
            by=by,
            expires_at=timezone.now() + datetime.timedelta(hours=1),
            announce=False,
        )
        placement = accept_offer(offer=offer, by=None)
        if care_hours_per_week:
            Placement.objects.filter(pk=placement.pk).update(care_hours_per_week=care_hours_per_week)
            placement.care_hours_per_week = care_hours_per_week
    return placement


def add_note(*, application: Application, by, text: str) -> ApplicationEvent:
    """An internal note on the timeline; families never see it."""
    if (
        by is None
        or not permissions.can_view_application(by, application)
        or permissions.is_guardian(by, application.child)
    ):
        raise DomainError(_("You cannot add notes to this application."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("The note is empty."))
    return record_event(
        application=application, kind="note", by=by, note=text[:4000], visible_to_parents=False
    )


def _eligible(facility: Facility, age_band: str, *, skip_application_id: int | None = None):
    """Top of the waitlist first: active wishes of families without an open offer."""
    wishes = (
        waitlist.waitlist(facility_id=facility.pk, age_band=age_band)
        .filter(status=WishStatus.ACTIVE, application__status__in=OFFERABLE_APPLICATION_STATUSES)
        .exclude(application__offers__status=OfferStatus.OPEN)
        .select_related("application")
    )
    return wishes.exclude(application_id=skip_application_id) if skip_application_id else wishes


def offer_next(
    *,
    facility: Facility,
    age_band: str,
    start_date: datetime.date,
    by,
    count: int = 1,
    expires_at: datetime.datetime | None = None,
    skip_application_id: int | None = None,
) -> list[Offer]:
    """Offer free places to the next ``count`` eligible candidates, never more than places are free."""
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
        start = max(start_date, wish.application.desired_start_date or start_date)
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
            by=None,
            skip_application_id=offer.application_id,
        )
    except DomainError:
        return []
