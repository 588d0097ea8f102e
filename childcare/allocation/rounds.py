"""The central allocation round: snapshot, deferred acceptance, preview.

The pure core lives in ``childcare.allocation.core``; this module loads its inputs from
the database and stores them with the results for audit. Publishing the result as offers
is long work done by a background job (``childcare.allocation.publishing``).
"""

import datetime
from collections import Counter, defaultdict

from django.db import transaction
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
    Wish,
    WishStatus,
)


def require_office(by: Actor) -> None:
    """Rounds are the municipal office's, or the portal's own work (``SYSTEM``, e.g. a benchmark)."""
    if require_actor(by) is not SYSTEM and not permissions.is_municipal_office(by):
        raise DomainError(_("Only the municipal office runs allocation rounds."))


def _key(facility_id: int, age_band: str) -> str:
    return f"{facility_id}:{age_band}"


def create_round(*, target_start_date: datetime.date, by: Actor) -> AllocationRound:
    require_office(by)
    if target_start_date <= timezone.localdate():
        raise DomainError(_("The target start date must be in the future."))
    if target_start_date > timezone.localdate() + datetime.timedelta(days=3 * 365 + 1):  # 3 years
        raise DomainError(_("The target start date must be within the next %(years)s years.") % {"years": 3})
    return AllocationRound.objects.create(
        target_start_date=target_start_date, created_by=by if by is not SYSTEM else None
    )


def snapshot(target: datetime.date) -> dict:
    """Free places per program at the target date, active applications' wishes and the priorities.

    The database sorts each program's candidates (points, submission time, lottery number), so
    no timestamps need to be loaded into Python: two integer-only scans at city scale.
    """
    wishes = Wish.objects.filter(
        status=WishStatus.ACTIVE,
        application__status__in=WAITING_APPLICATION_STATUSES,
        application__desired_start_date__lte=target,
    ).exclude(application__offers__status=OfferStatus.OPEN)
    preferences: dict[str, list[str]] = defaultdict(list)
    wish_of: dict[str, int] = {}
    rows = wishes.order_by("application_id", "rank").values_list(
        "pk", "application_id", "facility_id", "age_band"
    )
    for pk, application_id, facility_id, band in rows.iterator(chunk_size=20_000):
        key = _key(facility_id, band)
        preferences[str(application_id)].append(key)
        wish_of[f"{application_id}|{key}"] = pk
    priorities: dict[str, list[str]] = defaultdict(list)
    ordered = wishes.order_by("facility_id", "age_band", *waitlist.ORDER).values_list(
        "application_id", "facility_id", "age_band"
    )
    for application_id, facility_id, band in ordered.iterator(chunk_size=20_000):
        priorities[_key(facility_id, band)].append(str(application_id))
    facility_ids = {int(key.split(":")[0]) for key in priorities}
    taken = capacity.occupancies_by_band(facility_ids=facility_ids, from_date=target)
    capacities = {}
    for row in Capacity.objects.filter(facility_id__in=facility_ids):
        key = _key(row.facility_id, row.age_band)
        if key in priorities:
            free = capacity.lowest_free_places_from(row.places, taken[row.facility_id, row.age_band], target)
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
    meanwhile is never overwritten.
    """
    require_office(by)
    _refuse_recompute(round.status)
    inputs = snapshot(round.target_start_date)
    preferences, priorities, capacities = inputs["preferences"], inputs["priorities"], inputs["capacities"]
    matching = allocation.deferred_acceptance(preferences, priorities, capacities)
    position = {key: {a: i for i, a in enumerate(order, start=1)} for key, order in priorities.items()}
    results, fill = [], Counter()
    for applicant, program in matching.items():
        wishes = preferences[applicant]
        if program:
            fill[program] += 1
        # The list position that decided: on the matched list, or the closest miss when unmatched.
        if program:
            best = (position[program][applicant], program)
        else:
            best = min((position[key][applicant], key) for key in wishes) if wishes else None
        results.append(
            {
                "application": int(applicant),
                "program": program,
                "wish": inputs["wishes"][f"{applicant}|{program}"] if program else None,
                "rank_reached": wishes.index(program) + 1 if program else None,
                "best_position": list(best) if best else None,
            }
        )
    matched = sum(1 for r in results if r["program"])
    statistics = {
        "applicants": len(results),
        "matched": matched,
        "unmatched": len(results) - matched,
        "seats": sum(capacities.values()),
        "fill": {key: [fill[key], seats] for key, seats in capacities.items()},
        "first_wish": sum(1 for r in results if r["rank_reached"] == 1),
        "blocking_pairs": len(allocation.blocking_pairs(matching, preferences, priorities, capacities)),
    }
    with transaction.atomic():
        locked = AllocationRound.objects.select_for_update(of=("self",)).only("pk", "status").get(pk=round.pk)
        _refuse_recompute(locked.status)
        round.snapshot, round.results, round.statistics = inputs, results, statistics
        round.status, round.computed_at = AllocationRound.Status.COMPUTED, timezone.now()
        round.save(update_fields=["snapshot", "results", "statistics", "status", "computed_at"])
    return round


def facility_names(round: AllocationRound) -> dict[int, str]:  # noqa: A002
    """Names of the round's facilities; read from the statistics' fill (one key per program, as in
    the snapshot's capacities), so the large snapshot need not be loaded."""
    ids = {int(key.split(":")[0]) for key in round.statistics.get("fill", {})}
    return dict(Facility.objects.filter(pk__in=ids).values_list("pk", "name"))
