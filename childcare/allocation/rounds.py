"""The central allocation round: snapshot, deferred acceptance, preview.

The pure core lives in ``childcare.allocation.core``; this module loads its inputs from
the database and stores them with the results, as rows, for audit. Publishing the result as offers
is long work done by a background job (``childcare.allocation.publishing``).
"""

import datetime
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.actors import SYSTEM, Actor, require_actor
from childcare.admissions import waitlist
from childcare.allocation import core as allocation
from childcare.errors import DomainError
from childcare.facilities import capacity
from childcare.models import (
    WAITING_APPLICATION_STATUSES,
    AllocationRound,
    Capacity,
    Facility,
    OfferStatus,
    RoundApplicant,
    RoundProgram,
    Wish,
    WishStatus,
)


def require_office(by: Actor) -> None:
    """Rounds are the municipal office's, or the portal's own work (``SYSTEM``, e.g. a benchmark)."""
    if require_actor(by) is not SYSTEM and not permissions.is_municipal_office(by):
        raise DomainError(_("Only the municipal office runs allocation rounds."))


def create_round(*, target_start_date: datetime.date, by: Actor) -> AllocationRound:
    require_office(by)
    if target_start_date <= timezone.localdate():
        raise DomainError(_("The target start date must be in the future."))
    if target_start_date > timezone.localdate() + datetime.timedelta(days=3 * 365 + 1):  # 3 years
        raise DomainError(_("The target start date must be within the next %(years)s years.") % {"years": 3})
    return AllocationRound.objects.create(
        target_start_date=target_start_date, created_by=by if by is not SYSTEM else None
    )


Program = tuple[int, str]  # (facility id, age band)

# Rows per INSERT when a computed round is stored: bounded statements and memory.
ROW_INSERT_BATCH = 5000


def snapshot(target: datetime.date) -> dict:
    """Free places per program at the target date, active applications' wishes and the priorities.

    The database sorts each program's candidates (points, submission time, lottery number), so
    no timestamps need to be loaded into Python: two integer-only scans at city scale. Programs
    are ``(facility id, age band)`` pairs, applicants application ids.
    """
    wishes = Wish.objects.filter(
        status=WishStatus.ACTIVE,
        application__status__in=WAITING_APPLICATION_STATUSES,
        application__desired_start_date__lte=target,
    ).exclude(application__offers__status=OfferStatus.OPEN)
    preferences: dict[int, list[Program]] = defaultdict(list)
    wish_of: dict[tuple[int, Program], int] = {}
    rows = wishes.order_by("application_id", "rank").values_list(
        "pk", "application_id", "facility_id", "age_band"
    )
    for pk, application_id, facility_id, band in rows.iterator(chunk_size=20_000):
        preferences[application_id].append((facility_id, band))
        wish_of[application_id, (facility_id, band)] = pk
    priorities: dict[Program, list[int]] = defaultdict(list)
    ordered = wishes.order_by("facility_id", "age_band", *waitlist.ORDER).values_list(
        "application_id", "facility_id", "age_band"
    )
    for application_id, facility_id, band in ordered.iterator(chunk_size=20_000):
        priorities[facility_id, band].append(application_id)
    facility_ids = {facility_id for facility_id, _band in priorities}
    taken = capacity.occupancies_by_band(facility_ids=facility_ids, from_date=target)
    capacities = {}
    for row in Capacity.objects.filter(facility_id__in=facility_ids):
        key = (row.facility_id, row.age_band)
        if key in priorities:
            free = capacity.lowest_free_places_from(row.places, taken[key], target)
            capacities[key] = max(free, 0)
    return {
        "preferences": dict(preferences),
        "priorities": dict(priorities),
        "capacities": capacities,
        "wishes": wish_of,
    }


def _refuse_recompute(status: str) -> None:
    if status in (AllocationRound.Status.PUBLISHING, AllocationRound.Status.PUBLISHED):
        raise DomainError(_("This round has been published and can no longer be recomputed."))


def compute_round(*, round: AllocationRound, by: Actor) -> AllocationRound:  # noqa: A002 (the domain's word)
    """Take a fresh snapshot and compute the applicant-optimal stable matching; may be repeated.

    Refused once publishing has started. The snapshot and the matching take long and run
    without locks; storing them locks the round row and checks again, so a publish started
    meanwhile is never overwritten. The inputs and results are stored as rows
    (``RoundProgram``, ``RoundApplicant``), replacing those of an earlier computation; their
    totals (``round_totals``) and the stability check go into the round's statistics.
    """
    require_office(by)
    _refuse_recompute(round.status)
    inputs = snapshot(round.target_start_date)
    preferences, priorities, capacities = inputs["preferences"], inputs["priorities"], inputs["capacities"]
    matching = allocation.deferred_acceptance(preferences, priorities, capacities)
    fill = Counter(program for program in matching.values() if program)
    blocking_pairs = len(allocation.blocking_pairs(matching, preferences, priorities, capacities))
    # Programs in the order the preview lists them (by facility name): it pages them by id.
    names = dict(Facility.objects.filter(pk__in={f for f, _band in priorities}).values_list("pk", "name"))
    ordered = sorted(priorities, key=lambda program: (names[program[0]], program))
    with transaction.atomic():
        locked = AllocationRound.objects.select_for_update(of=("self",)).only("pk", "status").get(pk=round.pk)
        _refuse_recompute(locked.status)
        RoundApplicant.objects.filter(allocation_round=round).delete()
        RoundProgram.objects.filter(allocation_round=round).delete()
        programs = RoundProgram.objects.bulk_create(
            [
                RoundProgram(
                    allocation_round=round,
                    facility_id=facility_id,
                    age_band=band,
                    seats=capacities.get((facility_id, band), 0),
                    filled=fill[facility_id, band],
                )
                for facility_id, band in ordered
            ],
            batch_size=ROW_INSERT_BATCH,
        )
        program_ids = {(p.facility_id, p.age_band): p.pk for p in programs}
        rows = _applicant_rows(round, inputs, matching, program_ids)
        while chunk := list(itertools.islice(rows, ROW_INSERT_BATCH)):
            RoundApplicant.objects.bulk_create(chunk)
        # Counted once, in SQL, from the rows just written: the preview reads them on every request.
        round.statistics = {**round_totals(round=round), "blocking_pairs": blocking_pairs}
        round.status, round.computed_at = AllocationRound.Status.COMPUTED, timezone.now()
        round.save(update_fields=["statistics", "status", "computed_at"])
    _analyze_rows()
    return round


def _analyze_rows() -> None:
    """Fresh statistics for the round tables, so the preview's first pages use their indexes.

    A computed round is read at once, and autovacuum's analyze of a bulk write may come much
    later: with the estimates of the empty tables PostgreSQL sorts a city's programs per page.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {RoundProgram._meta.db_table}, {RoundApplicant._meta.db_table}")


def _applicant_rows(
    round: AllocationRound,  # noqa: A002
    inputs: dict,
    matching: dict[int, Program | None],
    program_ids: dict[Program, int],
) -> Iterator[RoundApplicant]:
    """One unsaved row per applicant, in application order: its ranked wishes with its list
    position on each, and the result with the position that decided (on the matched list, or
    the closest miss when unmatched)."""
    position = {
        key: {a: i for i, a in enumerate(order, start=1)} for key, order in inputs["priorities"].items()
    }
    for applicant in sorted(matching):
        program, wishes = matching[applicant], inputs["preferences"][applicant]
        ranked = [(position[key][applicant], key) for key in wishes]
        best = (position[program][applicant], program) if program else min(ranked, default=None)
        yield RoundApplicant(
            allocation_round=round,
            application_id=applicant,
            wishes=[[program_ids[key], place] for place, key in ranked],
            program_id=program_ids[program] if program else None,
            wish_id=inputs["wishes"][applicant, program] if program else None,
            rank_reached=wishes.index(program) + 1 if program else None,
            best_position=best[0] if best else None,
            best_program_id=program_ids[best[1]] if best else None,
        )


def round_inputs(*, round: AllocationRound) -> tuple[dict, dict, dict]:  # noqa: A002
    """The deferred-acceptance inputs a computed round stored, read back from its rows (for audit).

    Preferences per application id and priorities and capacities per program id: running the
    core on them again gives the stored matching.
    """
    capacities = dict(RoundProgram.objects.filter(allocation_round=round).values_list("pk", "seats"))
    preferences, placed = {}, defaultdict(list)
    rows = RoundApplicant.objects.filter(allocation_round=round).values_list("application_id", "wishes")
    for application_id, wishes in rows.iterator(chunk_size=20_000):
        preferences[application_id] = [program_id for program_id, _place in wishes]
        for program_id, place in wishes:
            placed[program_id].append((place, application_id))
    priorities = {program_id: [a for _place, a in sorted(order)] for program_id, order in placed.items()}
    return preferences, priorities, capacities


# The relations a result row is shown with: its family, and the programs it names.
RESULT_RELATIONS = ("application__child", "program__facility", "best_program__facility")


def round_results(*, round: AllocationRound):  # noqa: A002
    """The round's applicant rows in the order they were computed, with what showing them needs."""
    return (
        RoundApplicant.objects.filter(allocation_round=round)
        .select_related(*RESULT_RELATIONS)
        .only(
            "rank_reached",
            "best_position",
            *RESULT_RELATIONS,
            "application__reference",
            "application__child__first_name",
            "program__age_band",
            "program__facility__name",
            "best_program__age_band",
            "best_program__facility__name",
        )
        .order_by("pk")
    )


def round_programs(*, round: AllocationRound):  # noqa: A002
    """The round's programs by facility name and age band (the order they were written in), with
    their facilities."""
    return (
        RoundProgram.objects.filter(allocation_round=round)
        .select_related("facility")
        .only("age_band", "seats", "filled", "facility__name")
        .order_by("pk")
    )


def round_totals(*, round: AllocationRound) -> dict[str, int]:  # noqa: A002
    """Applicants, matched, unmatched, first wishes, programs and free places: two SQL aggregates."""
    applicants = RoundApplicant.objects.filter(allocation_round=round).aggregate(
        applicants=Count("pk"),
        matched=Count("pk", filter=Q(program__isnull=False)),
        first_wish=Count("pk", filter=Q(rank_reached=1)),
    )
    programs = RoundProgram.objects.filter(allocation_round=round).aggregate(
        programs=Count("pk"), seats=Coalesce(Sum("seats"), 0)
    )
    return {**applicants, "unmatched": applicants["applicants"] - applicants["matched"], **programs}


def _program_key(facility_id: int | None, band: str | None) -> str | None:
    return f"{facility_id}:{band}" if facility_id is not None else None


def round_result_dicts(*, round: AllocationRound) -> Iterator[dict]:  # noqa: A002
    """The results as plain data (for the API): application, program ``"facility id:age band"``,
    wish, rank reached and best position ``[position, program]``; one query, read in chunks."""
    rows = (
        RoundApplicant.objects.filter(allocation_round=round)
        .order_by("pk")
        .values_list(
            "application_id",
            "program__facility_id",
            "program__age_band",
            "wish_id",
            "rank_reached",
            "best_position",
            "best_program__facility_id",
            "best_program__age_band",
        )
    )
    for application, facility, band, wish, rank, position, best_facility, best_band in rows.iterator(
        chunk_size=5000
    ):
        best = _program_key(best_facility, best_band)
        yield {
            "application": application,
            "program": _program_key(facility, band),
            "wish": wish,
            "rank_reached": rank,
            "best_position": [position, best] if best else None,
        }
