"""Offers of a place: made by staff, answered by the family, expiring at their deadline."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.admissions.events import record_event
from childcare.admissions.messages import tell_facility_staff, tell_guardians
from childcare.age import school_entry_date
from childcare.errors import DomainError
from childcare.facilities import capacity
from childcare.models import (
    AgeBand,
    Application,
    ApplicationStatus,
    Capacity,
    Offer,
    OfferStatus,
    Placement,
    Wish,
    WishStatus,
)
from portal.models import PortalSettings

OFFERABLE_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING)


def _lock_capacity(wish: Wish) -> int:
    """Lock the (facility, age band) capacity row: offers for one program are made one at a time."""
    row = (
        Capacity.objects.select_for_update()
        .filter(facility_id=wish.facility_id, age_band=wish.age_band)
        .first()
    )
    return row.places if row else 0


def default_deadline(*, now: datetime.datetime | None = None) -> datetime.datetime:
    """End of the day ``offer_window_days`` from now, in the portal's time zone."""
    now = timezone.localtime(now or timezone.now())
    day = now.date() + datetime.timedelta(days=PortalSettings.load().offer_window_days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def make_offer(
    *,
    wish: Wish,
    start_date: datetime.date,
    by,
    expires_at: datetime.datetime | None = None,
    announce: bool = True,
) -> Offer:
    """Offer the wished facility's place from ``start_date``; needs a free place from then on.

    ``announce=False`` is for a place agreed offline and accepted at once: no offer letter then.
    """
    if by is not None and not permissions.can_act_on_wish(by, wish):
        raise DomainError(_("You cannot make offers for this facility."))
    expires_at = expires_at or default_deadline()
    if expires_at <= timezone.now():
        raise DomainError(_("The deadline must be in the future."))
    if start_date < timezone.localdate():
        raise DomainError(_("The start date must not be in the past."))
    with transaction.atomic():
        places = _lock_capacity(wish)
        wish = (
            Wish.objects.select_for_update(of=("self",))
            .select_related("application__child", "facility")
            .get(pk=wish.pk)
        )
        application = Application.objects.select_for_update().get(pk=wish.application_id)
        if wish.status != WishStatus.ACTIVE or application.status not in OFFERABLE_APPLICATION_STATUSES:
            raise DomainError(_("This wish is not waiting for an offer."))
        taken = capacity.occupancies(
            facility_id=wish.facility_id, age_band=wish.age_band, from_date=start_date
        )
        if capacity.lowest_free_places_from(places, taken, start_date) <= 0:
            raise DomainError(_("There is no free place for this age band from that date."))
        try:
            with transaction.atomic():
                offer = Offer.objects.create(
                    application=application,
                    wish=wish,
                    start_date=start_date,
                    expires_at=expires_at,
                    created_by=by,
                )
        except IntegrityError:
            raise DomainError(_("This application already has an open offer.")) from None
        old = application.status
        wish.status = WishStatus.OFFERED
        wish.save(update_fields=["status", "updated_at"])
        application.status = ApplicationStatus.OFFERED
        application.save(update_fields=["status", "updated_at"])
        record_event(
            application=application,
            kind="offer_made",
            by=by,
            wish=wish,
            from_status=old,
            to_status=application.status,
        )
        if announce:
            tell_guardians(
                application=application,
                kind="offer_made",
                key=f"offer:{offer.pk}:made",
                context={"offer": offer, "facility": wish.facility},
                attachments=[{"kind": "offer_letter", "object_id": offer.pk}],
            )
    return offer


def _lock_open_offer(offer: Offer) -> Offer:
    offer = (
        Offer.objects.select_for_update()
        .select_related("wish__facility", "application__child")
        .get(pk=offer.pk)
    )
    if offer.status != OfferStatus.OPEN:
        raise DomainError(_("This offer is no longer open."))
    return offer


def _placement_end(offer: Offer) -> datetime.date | None:
    """Krippe and Kindergarten places end at school entry; a Hort place stays open-ended."""
    if offer.wish.age_band == AgeBand.SCHOOL:
        return None
    return school_entry_date(offer.application.child.birth_date, **PortalSettings.load().school_calendar)


def accept_offer(*, offer: Offer, by) -> Placement:
    """The family takes the place: the placement starts, all other wishes close."""
    if by is not None and not permissions.can_answer_offer(by, offer):
        raise DomainError(_("You cannot answer this offer."))
    with transaction.atomic():
        offer = _lock_open_offer(offer)
        if offer.expires_at <= timezone.now():
            raise DomainError(_("The deadline for this offer has passed; it can no longer be accepted."))
        application = Application.objects.select_for_update().get(pk=offer.application_id)
        try:
            with transaction.atomic():
                placement = Placement.objects.create(
                    child=application.child,
                    facility=offer.wish.facility,
                    age_band=offer.wish.age_band,
                    start_date=offer.start_date,
                    end_date=_placement_end(offer),
                    care_hours_per_week=application.care_hours_per_week or offer.wish.facility.max_care_hours,
                    source_offer=offer,
                )
        except IntegrityError:
            raise DomainError(_("This child already has a place in this period.")) from None
        now = timezone.now()
        offer.status, offer.decided_at = OfferStatus.ACCEPTED, now
        offer.save(update_fields=["status", "decided_at"])
        Wish.objects.filter(pk=offer.wish_id).update(status=WishStatus.ACCEPTED, updated_at=now)
        application.wishes.filter(status=WishStatus.ACTIVE).update(status=WishStatus.INACTIVE, updated_at=now)
        old = application.status
        application.status = ApplicationStatus.PLACED
        application.save(update_fields=["status", "updated_at"])
        record_event(
            application=application,
            kind="offer_accepted",
            by=by,
            wish=offer.wish,
            from_status=old,
            to_status=application.status,
        )
        tell_guardians(
            application=application,
            kind="offer_accepted",
            key=f"offer:{offer.pk}:accepted",
            context={"offer": offer, "placement": placement, "facility": offer.wish.facility},
            attachments=[{"kind": "placement_confirmation", "object_id": placement.pk}],
        )
        tell_facility_staff(
            facility=offer.wish.facility,
            kind="staff_offer_answered",
            key=f"offer:{offer.pk}:answered",
            context={"offer": offer, "answer": "accepted"},
        )
    return placement


def _close_offer(offer: Offer, *, offer_status: str, wish_status: str, by, kind: str) -> Application:
    """End an open offer without a placement; the family keeps waiting on its other wishes.

    The freed place then goes to the next candidate if the facility offers automatically.
    """
    now = timezone.now()
    offer.status, offer.decided_at = offer_status, now
    offer.save(update_fields=["status", "decided_at"])
    Wish.objects.filter(pk=offer.wish_id).update(status=wish_status, updated_at=now)
    application = Application.objects.select_for_update().get(pk=offer.application_id)
    old = application.status
    still_waiting = application.wishes.filter(status=WishStatus.ACTIVE).exists()
    application.status = ApplicationStatus.WAITING if still_waiting else ApplicationStatus.CLOSED
    application.save(update_fields=["status", "updated_at"])
    record_event(
        application=application,
        kind=kind,
        by=by,
        wish=offer.wish,
        from_status=old,
        to_status=application.status,
    )
    # Imported here: the staff services build on this module.
    from childcare.admissions.waitlist_actions import offer_to_successor

    offer_to_successor(offer)
    return application


def decline_offer(*, offer: Offer, by) -> Offer:
    """The family says no to this place; it goes to the next candidate."""
    if by is not None and not permissions.can_answer_offer(by, offer):
        raise DomainError(_("You cannot answer this offer."))
    with transaction.atomic():
        offer = _lock_open_offer(offer)
        _close_offer(
            offer,
            offer_status=OfferStatus.DECLINED,
            wish_status=WishStatus.DECLINED,
            by=by,
            kind="offer_declined",
        )
        tell_facility_staff(
            facility=offer.wish.facility,
            kind="staff_offer_answered",
            key=f"offer:{offer.pk}:answered",
            context={"offer": offer, "answer": "declined"},
        )
    return offer


def expire_offer(*, offer: Offer, now: datetime.datetime | None = None) -> bool:
    """Close an open offer whose deadline has passed; False if it was answered or is not due."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            offer = _lock_open_offer(offer)
        except DomainError:
            return False
        if offer.expires_at > now:
            return False
        application = _close_offer(
            offer,
            offer_status=OfferStatus.EXPIRED,
            wish_status=WishStatus.EXPIRED,
            by=None,
            kind="offer_expired",
        )
        tell_guardians(
            application=application,
            kind="offer_expired",
            key=f"offer:{offer.pk}:expired",
            context={"offer": offer, "facility": offer.wish.facility},
        )
    return True


def withdraw_offer(*, offer: Offer, by) -> Offer:
    """Staff take back an open offer (e.g. made by mistake); the wish returns to the waitlist."""
    if by is not None and not permissions.can_act_on_wish(by, offer.wish):
        raise DomainError(_("You cannot withdraw offers for this facility."))
    with transaction.atomic():
        offer = _lock_open_offer(offer)
        _close_offer(
            offer,
            offer_status=OfferStatus.WITHDRAWN,
            wish_status=WishStatus.ACTIVE,
            by=by,
            kind="offer_withdrawn",
        )
    return offer
