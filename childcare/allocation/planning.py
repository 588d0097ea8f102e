"""Needs planning (Bedarfsplanung): free places per month and unmet legal entitlements.

Read-only selectors for the municipal office. Both answer with a fixed number of queries,
however many facilities and applications the town has; the database counts. Their page reads
them through ``planning_overview``, which shares one computation for a few minutes.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual
from django.utils import timezone

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


def born_after_for_school_on(day: datetime.date, *, entry: tuple[int, int], cutoff: tuple[int, int]):
    """The birth dates whose school entry lies after ``day``: those after the returned date.

    The inverse of ``school_entry_date``: school starts on ``entry`` of the year the child is 6 by
    ``cutoff`` (else a year later), so a later birth date never means an earlier school entry.
    """
    first_entry_year = day.year if datetime.date(day.year, *entry) > day else day.year + 1
    year = first_entry_year - 7
    month, last = cutoff
    for candidate in (last, 28):  # a 29 February cut-off in a common year
        try:
            return datetime.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _covering(day: datetime.date, *, has_end: bool, band: str, born: str, school_calendar) -> Q:
    """Active placements (``has_end``) or open offers covering ``day``: begun by then, not ended,
    and an open-ended Ü3 place not past the child's school entry (placements made by accepting an
    offer already carry that end; older or manually recorded ones and open offers may not)."""
    before_school = Q(**{f"{born}__gt": born_after_for_school_on(day, **school_calendar)})
    still_there = ~Q(**{band: AgeBand.THREE_TO_SCHOOL}) | before_school
    if has_end:
        still_there = Q(end_date__gt=day) | (Q(end_date__isnull=True) & still_there)
    return Q(start_date__lte=day) & still_there


def _per_day(days, **covering) -> dict[str, Count]:
    return {f"day_{index}": Count("pk", filter=_covering(day, **covering)) for index, day in enumerate(days)}


def taken_by_month(*, days: list[datetime.date], portal: PortalSettings) -> dict[tuple[int, str], list[int]]:
    """Places taken or held on each of ``days`` per (active facility, age band); two queries.

    The database counts: one conditional COUNT per day over the active placements, and over
    the open offers, grouped by facility and band.
    """
    calendar = portal.school_calendar
    taken: dict[tuple[int, str], list[int]] = {}
    placements = (
        Placement.objects.filter(facility__is_active=True, status=PlacementStatus.ACTIVE)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=days[0]))
        .values_list("facility_id", "age_band")
        .annotate(
            **_per_day(
                days, has_end=True, band="age_band", born="child__birth_date", school_calendar=calendar
            )
        )
        .order_by()
    )
    offers = (
        Offer.objects.filter(wish__facility__is_active=True, status=OfferStatus.OPEN)
        .values_list("wish__facility_id", "wish__age_band")
        .annotate(
            **_per_day(
                days,
                has_end=False,
                band="wish__age_band",
                born="application__child__birth_date",
                school_calendar=calendar,
            )
        )
        .order_by()
    )
    for facility_id, band, *counts in [*placements, *offers]:
        current = taken.get((facility_id, band))
        taken[facility_id, band] = (
            counts if current is None else [a + b for a, b in zip(current, counts, strict=True)]
        )
    return taken


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
    active placements and open offers from their start date on. Four queries; the database
    counts, Python only adds up per district.
    """
    facilities = list(
        Facility.objects.filter(is_active=True).order_by("district", "name", "pk").only("name", "district")
    )
    places = {
        (facility_id, band): count
        for facility_id, band, count in Capacity.objects.filter(facility__is_active=True).values_list(
            "facility_id", "age_band", "places"
        )
    }
    first = today.replace(day=1)
    month_starts = [add_months(first, offset) for offset in range(months)]
    taken = taken_by_month(days=[max(month, today) for month in month_starts], portal=portal)
    nothing = [0] * months

    facility_plans = []
    for facility in facilities:
        bands = []
        for band in AGE_BAND_ORDER:
            key = (facility.pk, band)
            counts = taken.get(key)
            if key not in places and not any(counts or ()):
                continue
            band_places = places.get(key, 0)
            bands.append(
                BandPlan(
                    band,
                    [
                        MonthFree(month, band_places, band_places - count)
                        for month, count in zip(month_starts, counts or nothing, strict=True)
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


def _day_number(field: str):
    """A date as the integer YYYYMMDD: differences of 10000 are whole years of age, as in age.py."""
    return ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)


def _age_band_at(*, born: str, on: str, entry: tuple[int, int], cutoff: tuple[int, int]) -> Case:
    """``age_band_on(born, on)`` as an SQL expression (school entry, then the 3rd birthday)."""
    birth, day = _day_number(born), _day_number(on)
    # school_entry_date(): the year the child is 6 by the cut-off day, else a year later.
    school_year = Case(
        When(
            GreaterThan(ExtractMonth(born) * 100 + ExtractDay(born), Value(cutoff[0] * 100 + cutoff[1])),
            then=ExtractYear(born) + 7,
        ),
        default=ExtractYear(born) + 6,
    )
    return Case(
        When(
            GreaterThanOrEqual(day, school_year * 10000 + (entry[0] * 100 + entry[1])),
            then=Value(AgeBand.SCHOOL),
        ),
        When(GreaterThanOrEqual(day - birth, Value(30000)), then=Value(AgeBand.THREE_TO_SCHOOL)),
        default=Value(AgeBand.UNDER_THREE),
        output_field=CharField(),
    )


def unmet_demand(
    *, portal: PortalSettings, today: datetime.date, months: int = PLANNING_MONTHS
) -> UnmetDemand:
    """Open applications with a legal entitlement (§ 24 SGB VIII) at the desired start and no place then.

    Counted when the desired start has passed (overdue) or lies within the next ``months``
    months; grouped by the district of the first wish's facility and the age band at the
    desired start. One aggregate query: the database decides entitlement and age band with
    the same date arithmetic as ``childcare.age`` and counts; nothing is loaded per application.
    """
    first_wish = Wish.objects.filter(application=OuterRef("pk")).order_by("rank")
    placed_by_start = Placement.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("desired_start_date")),
        child=OuterRef("child"),
        status=PlacementStatus.ACTIVE,
        start_date__lte=OuterRef("desired_start_date"),
    )
    entitled = GreaterThanOrEqual(
        _day_number("desired_start_date") - _day_number("child__birth_date"), Value(10000)
    )
    counts = (
        Application.objects.filter(
            # Open and waiting for a place; drafts are not a registered need yet.
            entitled,
            status__in=LISTED_APPLICATION_STATUSES,
            desired_start_date__lt=add_months(today, months),
        )
        .exclude(Exists(placed_by_start))
        .annotate(
            district=Coalesce(Subquery(first_wish.values("facility__district")[:1]), Value("")),
            band=_age_band_at(born="child__birth_date", on="desired_start_date", **portal.school_calendar),
        )
        .values_list("district", "band")
        .annotate(applications=Count("pk"), overdue=Count("pk", filter=Q(desired_start_date__lt=today)))
        .order_by()
    )
    rows = [DemandRow(*row) for row in counts]
    rows.sort(key=lambda row: (row.district, AGE_BAND_ORDER.index(row.age_band)))
    return UnmetDemand(rows=rows)


# The municipal office's page: the town's figures are a few kilobytes, but computing them reads
# every placement, open offer and application (seconds at city scale). They change slowly and
# are planned with over months, so the page shows figures at most this old, with their time.
OVERVIEW_MAX_AGE = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class PlanningOverview:
    """Free places of the town and its districts (no facility rows) and the unmet demand."""

    plan: CapacityPlan
    demand: UnmetDemand
    computed_at: datetime.datetime


def _overview_key(*, portal: PortalSettings, today: datetime.date) -> str:
    # The settings the figures depend on, hashed: a cache key allows no spaces.
    settings = repr((sorted(portal.school_calendar.items()), portal.municipality_name)).encode()
    return f"planning-overview:{today}:{hashlib.sha256(settings).hexdigest()[:16]}"


def planning_overview(*, portal: PortalSettings, today: datetime.date) -> PlanningOverview:
    """The figures of ``free_places_by_month`` (town and districts) and ``unmet_demand`` for ``today``,
    computed at most ``OVERVIEW_MAX_AGE`` ago and shared by all web processes through the cache.

    A fresh computation costs the queries of both selectors; a cached one none. The beat task
    ``refresh_planning_overview`` renews the figures before they expire, so the office's page
    normally never waits for them.
    """
    overview = cache.get(_overview_key(portal=portal, today=today))
    return overview if overview is not None else refresh_planning_overview(portal=portal, today=today)


def overview_stamp(*, portal: PortalSettings, today: datetime.date) -> str:
    """What names the shared figures for ``today``: their key and computation time, read without
    the figures themselves (a page keeps its tables rendered under it); computes them if none."""
    key = _overview_key(portal=portal, today=today)
    computed_at = cache.get(f"{key}:at")
    if computed_at is None:
        computed_at = planning_overview(portal=portal, today=today).computed_at
    return f"{key}:{computed_at.isoformat()}"


def refresh_planning_overview(*, portal: PortalSettings, today: datetime.date) -> PlanningOverview:
    """Compute the overview now and share it for ``OVERVIEW_MAX_AGE``."""
    plan = free_places_by_month(portal=portal, today=today)
    overview = PlanningOverview(
        plan=CapacityPlan(months=plan.months, town=plan.town, districts=plan.districts, facilities=[]),
        demand=unmet_demand(portal=portal, today=today),
        computed_at=timezone.now(),
    )
    key, timeout = _overview_key(portal=portal, today=today), OVERVIEW_MAX_AGE.total_seconds()
    cache.set_many({key: overview, f"{key}:at": overview.computed_at}, timeout=timeout)
    return overview
