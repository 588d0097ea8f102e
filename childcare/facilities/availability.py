"""Free places kept ready to read: one row per program (facility × age band) and stretch of days.

Between two days on which a place begins or ends, a program's places taken stay the same, so its
free places are a step function of the day. ``ProgramAvailability`` stores that function from the
day the rows are written on, together with the fewest free places from each stretch on (what
``capacity.lowest_free_places_from`` computes), so the search can filter and the facility page can
show a year ahead with one indexed read each, whatever the size of the town.

The rows are derived: ``refresh_availability`` rewrites the rows of the programs a change touched
from capacities, active placements and open offers, in one SQL statement, inside the transaction of
the change (the offer and placement transitions, the bulk offers of a round, capacity changes in the
admin and the facility import). ``rebuild_availability`` rewrites all rows; the demo and scale seeds
call it, and a nightly task (``childcare.tasks.rebuild_availability``) moves the first stretch to the
new day and repairs anything written past the transitions.

Exact counts for taking a place (making and accepting offers) stay in ``capacity``, under locks.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from childcare.facilities.public_cache import facility_data_changed
from childcare.models import (
    Capacity,
    Offer,
    OfferStatus,
    Placement,
    PlacementStatus,
    ProgramAvailability,
    Wish,
)

Program = tuple[int, str]  # (facility id, age band)

# Every place that is taken or held from ``%(day)s`` on, as (program, first day, first day without);
# starts before that day count from it, so every program's stretches begin on the same first day.
# A capacity without any place gets one stretch, a program with places but no capacity gets zero
# places. ``{programs}`` restricts the statement to some programs (a VALUES list) or is empty.
_REWRITE = """
WITH {programs_cte}
occupancy (facility_id, age_band, start_date, end_date) AS (
    SELECT p.facility_id, p.age_band,
           CASE WHEN p.start_date < %(day)s THEN %(day)s ELSE p.start_date END, p.end_date
    FROM {placement} p {join_placement}
    WHERE p.status = %(active)s AND (p.end_date IS NULL OR p.end_date > %(day)s)
    UNION ALL
    SELECT w.facility_id, w.age_band,
           CASE WHEN o.start_date < %(day)s THEN %(day)s ELSE o.start_date END, NULL
    FROM {offer} o JOIN {wish} w ON w.id = o.wish_id {join_wish}
    WHERE o.status = %(open)s
),
change (facility_id, age_band, day, delta) AS (
    SELECT facility_id, age_band, start_date, 1 FROM occupancy
    UNION ALL
    SELECT facility_id, age_band, end_date, -1 FROM occupancy WHERE end_date IS NOT NULL
    UNION ALL
    SELECT facility_id, age_band, %(day)s, 0 FROM occupancy
    UNION ALL
    SELECT c.facility_id, c.age_band, %(day)s, 0 FROM {capacity} c {join_capacity}
),
day_change (facility_id, age_band, day, delta) AS (
    SELECT facility_id, age_band, day, SUM(delta) FROM change GROUP BY facility_id, age_band, day
),
stretch (facility_id, age_band, valid_from, valid_until, places, taken) AS (
    SELECT d.facility_id, d.age_band, d.day,
           LEAD(d.day) OVER (PARTITION BY d.facility_id, d.age_band ORDER BY d.day),
           COALESCE(c.places, 0),
           SUM(d.delta) OVER (
               PARTITION BY d.facility_id, d.age_band ORDER BY d.day
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
           )
    FROM day_change d
    LEFT JOIN {capacity} c ON c.facility_id = d.facility_id AND c.age_band = d.age_band
)
INSERT INTO {table} (facility_id, age_band, valid_from, valid_until, places, taken, lowest_free)
SELECT facility_id, age_band, valid_from, valid_until, places, taken,
       places - MAX(taken) OVER (
           PARTITION BY facility_id, age_band ORDER BY valid_from DESC
           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
       )
FROM stretch
"""


def _programs_cte(programs: list[Program], params: dict) -> str:
    """``program (facility_id, age_band)``: the programs as a VALUES list, their values in ``params``."""
    values = []
    for number, (facility_id, age_band) in enumerate(programs):
        values.append(f"(%(f{number})s, %(b{number})s)")
        params[f"f{number}"], params[f"b{number}"] = facility_id, age_band
    return f"program (facility_id, age_band) AS (VALUES {', '.join(values)})"


def _rewrite_sql(programs: list[Program] | None) -> tuple[str, dict]:
    tables = {
        "table": ProgramAvailability._meta.db_table,
        "placement": Placement._meta.db_table,
        "offer": Offer._meta.db_table,
        "wish": Wish._meta.db_table,
        "capacity": Capacity._meta.db_table,
    }
    params = {"day": timezone.localdate(), "active": PlacementStatus.ACTIVE, "open": OfferStatus.OPEN}
    if programs is None:
        joins = {"programs_cte": "", "join_placement": "", "join_wish": "", "join_capacity": ""}
    else:
        joins = {
            "programs_cte": _programs_cte(programs, params) + ",",
            **{
                f"join_{alias}": (
                    f"JOIN program ON program.facility_id = {letter}.facility_id"
                    f" AND program.age_band = {letter}.age_band"
                )
                for alias, letter in (("placement", "p"), ("wish", "w"), ("capacity", "c"))
            },
        }
    return _REWRITE.format(**tables, **joins), params


def refresh_availability(*, programs: Iterable[Program]) -> None:
    """Rewrite the rows of ``programs`` from their source rows; two statements, in the caller's transaction.

    Call it once per change, after the change's writes, with every program whose placements, open
    offers or capacity the change touched. On PostgreSQL concurrent refreshes of one program wait
    for each other (a transaction-level advisory lock per program, taken in sorted order), so two
    changes that do not share a row lock (an admin capacity edit and an offer) never both rewrite
    a program's rows from an outdated view.
    """
    wanted = sorted(set(programs))
    if not wanted:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("refresh_availability must run inside the transaction of the change.")
    table = ProgramAvailability._meta.db_table
    params: dict = {}
    # Table names come from the models, values go as parameters.
    match = f"program.facility_id = {table}.facility_id AND program.age_band = {table}.age_band"
    delete = f"WITH {_programs_cte(wanted, params)} DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM program WHERE {match})"  # noqa: S608, E501
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            lock_params: dict = {}
            lock = (
                "SELECT pg_advisory_xact_lock(facility_id::integer, hashtext(age_band))"
                " FROM (SELECT * FROM program ORDER BY facility_id, age_band) AS sorted"
            )
            cursor.execute(f"WITH {_programs_cte(wanted, lock_params)} {lock}", lock_params)
        cursor.execute(delete, params)
        cursor.execute(*_rewrite_sql(wanted))
    facility_data_changed()


def rebuild_availability() -> int:
    """Rewrite every program's rows from today on (set-based, one transaction); returns the row count."""
    with transaction.atomic():
        ProgramAvailability.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(*_rewrite_sql(None))
        facility_data_changed()
        return ProgramAvailability.objects.count()


def programs_of_facilities(facility_ids: Iterable[int]) -> list[Program]:
    """Every program of these facilities that has rows or a capacity: what a capacity change touches."""
    facility_ids = set(facility_ids)
    return sorted(
        {
            *Capacity.objects.filter(facility_id__in=facility_ids).values_list("facility_id", "age_band"),
            *ProgramAvailability.objects.filter(facility_id__in=facility_ids).values_list(
                "facility_id", "age_band"
            ),
        }
    )


# --- reads ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    valid_from: datetime.date
    valid_until: datetime.date | None
    places: int
    taken: int
    lowest_free: int

    def covers(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


def _covering(day: datetime.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gt=day))


def stretches(
    *, facility_ids: Iterable[int], days: Iterable[datetime.date] | None = None
) -> dict[Program, list[Stretch]]:
    """The stored stretches of these facilities' programs in date order; one query.

    With ``days``, only the stretches covering one of them; without, all from today on.
    """
    rows = ProgramAvailability.objects.filter(facility_id__in=list(facility_ids))
    if days is None:
        rows = rows.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.localdate()))
    else:
        covering = Q(pk__in=[])
        for day in set(days):
            covering |= _covering(day)
        rows = rows.filter(covering)
    by_program: dict[Program, list[Stretch]] = defaultdict(list)
    for facility_id, age_band, *values in rows.order_by("valid_from").values_list(
        "facility_id", "age_band", "valid_from", "valid_until", "places", "taken", "lowest_free"
    ):
        by_program[facility_id, age_band].append(Stretch(*values))
    return by_program


def stretch_on(program_stretches: list[Stretch], day: datetime.date) -> Stretch | None:
    return next((stretch for stretch in program_stretches if stretch.covers(day)), None)


def free_on(capacity: Capacity, program_stretches: list[Stretch], day: datetime.date) -> int:
    """Free places of ``capacity`` on ``day``; overbooked shows as none; no rows yet means all free."""
    stretch = stretch_on(program_stretches, day)
    return max(0, stretch.places - stretch.taken) if stretch else capacity.places


def with_free_places_from(queryset: QuerySet, *, day: datetime.date, age_band: str | None) -> QuerySet:
    """Facilities of ``queryset`` with a place free from ``day`` on, in ``age_band`` if given.

    Free from ``day`` on means free on every later day too, as ``capacity.lowest_free_places_from``
    counts it: a place another child takes later is not free for an open-ended start today.
    """
    rows = ProgramAvailability.objects.filter(_covering(day), facility=OuterRef("pk"), lowest_free__gt=0)
    if age_band:
        rows = rows.filter(age_band=age_band)
    return queryset.filter(Exists(rows))
