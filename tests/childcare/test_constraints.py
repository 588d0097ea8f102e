"""Each invariant is rejected by the database itself: these tests write rows directly,
bypassing forms and services, and expect an IntegrityError."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from childcare.models import ApplicationStatus, Capacity, Offer, OfferStatus, Placement, PlacementStatus, Wish
from portal.models import PortalSettings
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    FacilityFactory,
    OfferFactory,
    PlacementFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def rejected(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_two_wishes_with_the_same_rank_are_rejected():
    wish = WishFactory(rank=1)
    rejected(lambda: WishFactory(application=wish.application, rank=1))
    assert Wish.objects.count() == 1


def test_the_same_facility_twice_on_one_application_is_rejected():
    wish = WishFactory(rank=1)
    rejected(lambda: WishFactory(application=wish.application, facility=wish.facility, rank=2))


def test_wish_rank_zero_is_rejected():
    rejected(lambda: WishFactory(rank=0))


def test_a_second_open_offer_for_one_application_is_rejected():
    first = OfferFactory()
    second_wish = WishFactory(application=first.application, rank=2)
    rejected(lambda: OfferFactory(wish=second_wish))
    assert Offer.objects.filter(status=OfferStatus.OPEN).count() == 1


def test_a_new_offer_is_allowed_once_the_previous_one_is_declined():
    first = OfferFactory()
    Offer.objects.filter(pk=first.pk).update(status=OfferStatus.DECLINED)
    second_wish = WishFactory(application=first.application, rank=2)
    OfferFactory(wish=second_wish)
    assert first.application.offers.count() == 2


def test_overlapping_active_placements_for_one_child_are_rejected():
    child = ChildFactory()
    PlacementFactory(child=child, start_date=D(2026, 8, 1), end_date=D(2027, 8, 1))
    rejected(lambda: PlacementFactory(child=child, start_date=D(2027, 7, 31), end_date=None))
    assert Placement.objects.filter(child=child).count() == 1


def test_an_open_ended_placement_blocks_any_later_one():
    child = ChildFactory()
    PlacementFactory(child=child, start_date=D(2026, 8, 1), end_date=None)
    rejected(lambda: PlacementFactory(child=child, start_date=D(2030, 1, 1), end_date=D(2030, 6, 1)))


def test_back_to_back_and_cancelled_placements_do_not_overlap():
    child = ChildFactory()
    PlacementFactory(child=child, start_date=D(2026, 8, 1), end_date=D(2027, 8, 1))
    PlacementFactory(child=child, start_date=D(2027, 8, 1), end_date=None)
    PlacementFactory(child=child, start_date=D(2026, 9, 1), status=PlacementStatus.CANCELLED)
    PlacementFactory(start_date=D(2026, 8, 1))  # another child, same period
    assert Placement.objects.filter(child=child).count() == 3


def test_reactivating_a_cancelled_placement_into_an_overlap_is_rejected():
    child = ChildFactory()
    PlacementFactory(child=child, start_date=D(2026, 8, 1))
    cancelled = PlacementFactory(child=child, start_date=D(2026, 9, 1), status=PlacementStatus.CANCELLED)
    rejected(lambda: Placement.objects.filter(pk=cancelled.pk).update(status=PlacementStatus.ACTIVE))


def test_placement_ending_before_it_starts_is_rejected():
    rejected(lambda: PlacementFactory(start_date=D(2026, 8, 1), end_date=D(2026, 8, 1)))


def test_model_validation_reports_the_overlap_in_plain_words():
    child = ChildFactory()
    existing = PlacementFactory(child=child, start_date=D(2026, 8, 1))
    clash = Placement(
        child=child,
        facility=existing.facility,
        age_band=existing.age_band,
        start_date=D(2027, 1, 1),
        care_hours_per_week=35,
    )
    with translation.override("en"), pytest.raises(ValidationError, match="already has a place"):
        clash.full_clean()


def test_negative_capacity_is_rejected():
    rejected(lambda: CapacityFactory(places=-1))
    capacity = CapacityFactory(places=0)
    rejected(lambda: Capacity.objects.filter(pk=capacity.pk).update(places=-5))


def test_one_capacity_row_per_facility_and_age_band():
    capacity = CapacityFactory()
    rejected(lambda: CapacityFactory(facility=capacity.facility, age_band=capacity.age_band))


def test_a_child_has_at_most_one_open_application():
    child = ChildFactory()
    ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    rejected(lambda: ApplicationFactory(child=child, status=ApplicationStatus.DRAFT))
    ApplicationFactory(child=child, status=ApplicationStatus.WITHDRAWN)
    assert child.applications.count() == 2


def test_portal_settings_stay_a_single_row():
    settings_row = PortalSettings.load()
    assert settings_row.pk == 1
    rejected(lambda: PortalSettings.objects.bulk_create([PortalSettings(pk=2)]))
    assert PortalSettings.load().max_wishes == 5


def test_facility_must_open_before_it_closes():
    rejected(lambda: FacilityFactory(opens_at=datetime.time(18, 0), closes_at=datetime.time(7, 0)))
