"""Needs planning (Bedarfsplanung): free places per month and unmet legal entitlements.

Read-only selectors for the municipal office. Both answer with a fixed number of queries,
however many facilities and applications the town has.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q, Subquery

from childcare.age import age_band_on, has_legal_entitlement, school_entry_date
from childcare.facilities.capacity import Occupancy, free_places_on, occupancies_by_band
from childcare.facilities.search import AGE_BAND_ORDER
from childcare.models import (
    LISTED_APPLICATION_STATUSES,
    AgeBand,
    Application,
    Capacity,
    Facility,
    Offer,
    OfferStatus,
    Placement,
    PlacementStatus,
    Wish,
)
from portal.models import PortalSettings

PLANNING_MONTHS = 12


class MonthFree(NamedTuple):
    month: datetime.date  # the first day of the month
    places: int
    free: int  # negative: overbooked


@dataclass(frozen=True)
class BandPlan:
    age_band: str
    months: list[MonthFree]

    @property
    def label(self) -> str:
        return AgeBand(self.age_band).label


@dataclass(frozen=True)
class AreaPlan:
    """One facility, one district or the whole town."""

    name: str
    bands: list[BandPlan]


@dataclass(frozen=True)
class CapacityPlan:
    months: list[datetime.date]
    town: AreaPlan
    districts: list[AreaPlan]
    facilities: list[AreaPlan]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; a day that month lacks becomes its last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _school_entry_ends(
    taken: dict[tuple[int, str], list[Occupancy]], *, facility_ids, portal: PortalSettings
) -> None:
    """Open-ended Ü3 places (placements and open offers) end at the child's school entry; one query.

    Placements made by accepting an offer already carry that end; older or manually recorded
    ones may not, and an open offer becomes such a placement.
    """
    placements = (
        Placement.objects.filter(
            facility_id__in=facility_ids,
            status=PlacementStatus.ACTIVE,
            age_band=AgeBand.THREE_TO_SCHOOL,
            end_date__isnull=True,
        )
        .values_list("facility_id", "start_date", "child__birth_date")
        .order_by()
    )
    offers = (
        Offer.objects.filter(
            wish__facility_id__in=facility_ids,
            status=OfferStatus.OPEN,
            wish__age_band=AgeBand.THREE_TO_SCHOOL,
        )
        .values_list("wish__facility_id", "start_date", "application__child__birth_date")
        .order_by()
    )
    for facility_id, start, birth_date in placements.union(offers, all=True):
        occupancies = taken[facility_id, AgeBand.THREE_TO_SCHOOL]
        # Open-ended occupancies with the same start are interchangeable: replacing any one is exact.
        try:
            occupancies.remove(Occupancy(start, None))
        except ValueError:  # created between the two reads; the next page load counts it
            continue
        school_entry = school_entry_date(birth_date, **portal.school_calendar)
        if school_entry > start:
            occupancies.append(Occupancy(start, school_entry))


def _sum_bands(name: str, areas: list[AreaPlan]) -> AreaPlan:
    totals: dict[str, list[MonthFree]] = {}
    for area in areas:
        for band in area.bands:
            current = totals.get(band.age_band)
            totals[band.age_band] = (
                band.months
                if current is None
                else [
                    MonthFree(mine.month, mine.places + theirs.places, mine.free + theirs.free)
                    for mine, theirs in zip(current, band.months, strict=True)
                ]
            )
    bands = [BandPlan(band, totals[band]) for band in AGE_BAND_ORDER if band in totals]
    return AreaPlan(name=name, bands=bands)


def free_places_by_month(
    *, portal: PortalSettings, today: datetime.date, months: int = PLANNING_MONTHS
) -> CapacityPlan:
    """Free places per active facility, district and the town, per age band, for ``months`` months.

    A month counts the places free on its first day (for the current month: today), after
    active placements and open offers from their start date on. Five queries.
    """
    facilities = list(Facility.objects.filter(is_active=True).order_by("district", "name", "pk"))
    facility_ids = [facility.pk for facility in facilities]
    places = {
        (facility_id, band): count
        for facility_id, band, count in Capacity.objects.filter(facility_id__in=facility_ids).values_list(
            "facility_id", "age_band", "places"
        )
    }
    taken = occupancies_by_band(facility_ids=facility_ids, from_date=today)  # two queries
    _school_entry_ends(taken, facility_ids=facility_ids, portal=portal)
    first = today.replace(day=1)
    month_starts = [add_months(first, offset) for offset in range(months)]

    facility_plans = []
    for facility in facilities:
        bands = []
        for band in AGE_BAND_ORDER:
            key = (facility.pk, band)
            if key not in places and not taken.get(key):
                continue
            band_places = places.get(key, 0)
            bands.append(
                BandPlan(
                    band,
                    [
                        MonthFree(
                            month, band_places, free_places_on(band_places, taken[key], max(month, today))
                        )
                        for month in month_starts
                    ],
                )
            )
        facility_plans.append(AreaPlan(name=facility.name, bands=bands))

    by_district: dict[str, list[AreaPlan]] = defaultdict(list)
    for facility, plan in zip(facilities, facility_plans, strict=True):
        by_district[facility.district].append(plan)
    districts = [_sum_bands(district, plans) for district, plans in sorted(by_district.items())]
    return CapacityPlan(
        months=month_starts,
        town=_sum_bands(portal.municipality_name, districts),
        districts=districts,
        facilities=facility_plans,
    )


@dataclass(frozen=True)
class DemandRow:
    district: str  # empty when the application has no wish
    age_band: str
    applications: int
    overdue: int  # the desired start has passed without a place

    @property
    def label(self) -> str:
        return AgeBand(self.age_band).label


@dataclass(frozen=True)
class UnmetDemand:
    rows: list[DemandRow]

    @property
    def applications(self) -> int:
        return sum(row.applications for row in self.rows)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.rows)


def unmet_demand(
    *, portal: PortalSettings, today: datetime.date, months: int = PLANNING_MONTHS
) -> UnmetDemand:
    """Open applications with a legal entitlement (§ 24 SGB VIII) at the desired start and no place then.

    Counted when the desired start has passed (overdue) or lies within the next ``months``
    months; grouped by the district of the first wish's facility and the age band at the
    desired start. One query.
    """
    first_wish = Wish.objects.filter(application=OuterRef("pk")).order_by("rank")
    placed_by_start = Placement.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("desired_start_date")),
        child=OuterRef("child"),
        status=PlacementStatus.ACTIVE,
        start_date__lte=OuterRef("desired_start_date"),
    )
    applications = (
        Application.objects.filter(
            # Open and waiting for a place; drafts are not a registered need yet.
            status__in=LISTED_APPLICATION_STATUSES,
            desired_start_date__lt=add_months(today, months),
        )
        .annotate(district=Subquery(first_wish.values("facility__district")[:1]))
        .exclude(Exists(placed_by_start))
        .values_list("district", "desired_start_date", "child__birth_date")
    )
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for district, desired_start, birth_date in applications:
        if not has_legal_entitlement(birth_date, desired_start):
            continue
        count = counts[district or "", age_band_on(birth_date, desired_start, **portal.school_calendar)]
        count[0] += 1
        count[1] += desired_start < today
    rows = [
        DemandRow(district, band, applications, overdue)
        for (district, band), (applications, overdue) in counts.items()
    ]
    rows.sort(key=lambda row: (row.district, AGE_BAND_ORDER.index(row.age_band)))
    return UnmetDemand(rows=rows)
