"""The placement's state machine: a place is created active (by accepting an offer, or recorded
by staff for a place agreed outside the portal) and can only end as cancelled."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from childcare.actors import Actor
from childcare.admissions.events import record_event
from childcare.admissions.messages import tell_guardians
from childcare.admissions.transitions import application as application_transitions
from childcare.admissions.transitions import steps
from childcare.admissions.transitions import wish as wish_transitions
from childcare.age import school_entry_date
from childcare.api import webhooks
from childcare.errors import DomainError
from childcare.facilities.availability import refresh_availability
from childcare.models import (
    AgeBand,
    ApplicationStatus,
    EventKind,
    Offer,
    Placement,
    PlacementStatus,
    Wish,
    WishStatus,
)
from portal.models import PortalSettings

S = PlacementStatus
ALLOWED = {S.ACTIVE: {S.CANCELLED}, S.CANCELLED: set()}


def move(placement: Placement, target: str) -> str:
    return steps.move(placement, ALLOWED, PlacementStatus, target)


def _end(wish: Wish) -> datetime.date | None:
    """Krippe and Kindergarten places end at school entry; a Hort place stays open-ended."""
    if wish.age_band == AgeBand.SCHOOL:
        return None
    return school_entry_date(wish.application.child.birth_date, **PortalSettings.load().school_calendar)


def start(
    *, wish: Wish, start_date: datetime.date, care_hours_per_week: int | None, source_offer: Offer | None
) -> Placement:
    """Create the active placement for ``wish``; part of accepting an offer or recording a place."""
    steps.require_transaction()
    application = wish.application
    try:
        with transaction.atomic():
            return Placement.objects.create(
                child=application.child,
                facility=wish.facility,
                age_band=wish.age_band,
                start_date=start_date,
                end_date=_end(wish),
                care_hours_per_week=care_hours_per_week
                or application.care_hours_per_week
                or wish.facility.max_care_hours,
                source_offer=source_offer,
            )
    except IntegrityError:
        raise DomainError(_("This child already has a place in this period.")) from None


def record(
    *, wish: Wish, by: Actor, start_date: datetime.date, care_hours_per_week: int | None = None
) -> Placement:
    """Staff record a place agreed outside the portal: no offer, the family is told what staff did.

    Like an accepted offer, the application is placed and its other waiting wishes end.
    """
    application = wish.application
    steps.check_step(
        application_transitions.ALLOWED, ApplicationStatus, application.status, ApplicationStatus.PLACED
    )
    steps.check_step(wish_transitions.ALLOWED, WishStatus, wish.status, WishStatus.ACCEPTED)
    placement = start(
        wish=wish, start_date=start_date, care_hours_per_week=care_hours_per_week, source_offer=None
    )
    wish_transitions.move(wish, WishStatus.ACCEPTED)
    wish_transitions.close_others(wish)
    old = application_transitions.move(application, ApplicationStatus.PLACED)
    refresh_availability(programs=[(wish.facility_id, wish.age_band)])
    record_event(
        application=application,
        kind=EventKind.PLACEMENT_RECORDED,
        by=by,
        actor_kind=steps.staff_actor_kind(by),
        wish=wish,
        from_status=old,
        to_status=application.status,
    )
    tell_guardians(
        application=application,
        kind="placement_recorded",
        key=f"placement:{placement.pk}:recorded",
        context={"placement": placement, "facility": wish.facility},
        attachments=[{"kind": "placement_confirmation", "object_id": placement.pk}],
    )
    webhooks.placement_recorded(placement=placement)
    return placement
