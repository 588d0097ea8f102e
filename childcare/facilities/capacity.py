"""Free places per facility and age band: capacity minus active placements and open offers.

An open offer holds a place from its start date on, exactly like the placement it
would become, so accepting it never overbooks a facility.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from childcare.models import Capacity, Offer, OfferStatus, Placement, PlacementStatus


@dataclass(frozen=True)
class Occupancy:
    start: datetime.date
    end: datetime.date | None  # first day without the place; None = open-ended

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def occupancies_by_band(
    *, facility_ids, from_date: datetime.date, except_offer_id: int | None = None
) -> dict[tuple[int, str], list[Occupancy]]:
    """Places taken or held at or after ``from_date``, keyed by (facility, age band); two queries.

    ``except_offer_id`` leaves one open offer out: the one about to become a placement.
    """
    taken: dict[tuple[int, str], list[Occupancy]] = defaultdict(list)
    if not facility_ids:
        return taken
    placements = Placement.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=from_date),
        facility_id__in=facility_ids,
        status=PlacementStatus.ACTIVE,
    ).values_list("facility_id", "age_band", "start_date", "end_date")
    for facility_id, age_band, start, end in placements:
        taken[facility_id, age_band].append(Occupancy(start, end))
    offers = (
        Offer.objects.filter(wish__facility_id__in=facility_ids, status=OfferStatus.OPEN)
        .exclude(pk=except_offer_id)
        .values_list("wish__facility_id", "wish__age_band", "start_date")
    )
    for facility_id, age_band, start in offers:
        taken[facility_id, age_band].append(Occupancy(start, None))
    return taken


def occupancies(
    *, facility_id: int, age_band: str, from_date: datetime.date, except_offer_id: int | None = None
) -> list[Occupancy]:
    """Places taken or held at or after ``from_date`` in one program: active placements and open offers."""
    return occupancies_by_band(
        facility_ids=[facility_id], from_date=from_date, except_offer_id=except_offer_id
    )[facility_id, age_band]


def free_places_on(places: int, taken: list[Occupancy], day: datetime.date) -> int:
    return places - sum(1 for occupancy in taken if occupancy.covers(day))


def lowest_free_places_from(places: int, taken: list[Occupancy], start: datetime.date) -> int:
    """The fewest free places on any day from ``start`` on: what a new open-ended place can rely on.

    Free places only drop when a place begins, so checking ``start`` and every later
    beginning is enough.
    """
    days = {start} | {occupancy.start for occupancy in taken if occupancy.start > start}
    return min(free_places_on(places, taken, day) for day in days)


def peak_taken_from(taken: list[Occupancy], start: datetime.date) -> tuple[int, datetime.date]:
    """The most places taken or held on any day from ``start`` on, and the first such day."""
    days = sorted({start} | {occupancy.start for occupancy in taken if occupancy.start > start})
    counts = [(sum(1 for occupancy in taken if occupancy.covers(day)), day) for day in days]
    most = max(count for count, _day in counts)
    return most, next(day for count, day in counts if count == most)


def places_for(*, facility_id: int, age_band: str) -> int:
    capacity = Capacity.objects.filter(facility_id=facility_id, age_band=age_band).first()
    return capacity.places if capacity else 0
