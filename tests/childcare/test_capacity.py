import datetime

import pytest

from childcare.facilities.capacity import Occupancy, free_places_on, lowest_free_places_from, occupancies
from childcare.models import AgeBand, OfferStatus, PlacementStatus
from tests.factories import CapacityFactory, OfferFactory, PlacementFactory, WishFactory

D = datetime.date


def test_free_places_count_what_covers_the_day():
    taken = [Occupancy(D(2026, 8, 1), D(2027, 8, 1)), Occupancy(D(2026, 9, 1), None)]
    assert free_places_on(3, taken, D(2026, 7, 31)) == 3
    assert free_places_on(3, taken, D(2026, 8, 1)) == 2
    assert free_places_on(3, taken, D(2026, 9, 1)) == 1
    assert free_places_on(3, taken, D(2027, 8, 1)) == 2


def test_lowest_free_places_looks_at_every_later_start():
    taken = [Occupancy(D(2026, 10, 1), None), Occupancy(D(2027, 1, 1), None)]
    assert lowest_free_places_from(2, taken, D(2026, 8, 1)) == 0
    assert lowest_free_places_from(3, taken, D(2026, 8, 1)) == 1
    assert lowest_free_places_from(2, [Occupancy(D(2026, 1, 1), D(2026, 8, 1))], D(2026, 8, 1)) == 2


@pytest.mark.django_db
def test_occupancies_include_active_placements_and_open_offers_only():
    capacity = CapacityFactory(age_band=AgeBand.UNDER_THREE, places=5)
    facility = capacity.facility
    PlacementFactory(facility=facility, age_band=AgeBand.UNDER_THREE, start_date=D(2026, 8, 1))
    PlacementFactory(
        facility=facility,
        age_band=AgeBand.UNDER_THREE,
        start_date=D(2026, 8, 1),
        status=PlacementStatus.CANCELLED,
    )
    PlacementFactory(
        facility=facility, age_band=AgeBand.UNDER_THREE, start_date=D(2025, 8, 1), end_date=D(2026, 1, 1)
    )
    PlacementFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, start_date=D(2026, 8, 1))
    wish = WishFactory(facility=facility, age_band=AgeBand.UNDER_THREE)
    OfferFactory(wish=wish, start_date=D(2026, 9, 1))
    OfferFactory(
        wish=WishFactory(facility=facility, age_band=AgeBand.UNDER_THREE), status=OfferStatus.DECLINED
    )
    taken = occupancies(facility_id=facility.pk, age_band=AgeBand.UNDER_THREE, from_date=D(2026, 6, 1))
    assert sorted((o.start, o.end) for o in taken) == [(D(2026, 8, 1), None), (D(2026, 9, 1), None)]
