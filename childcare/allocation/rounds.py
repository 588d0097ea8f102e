"""The central allocation round: snapshot, deferred acceptance, preview, publish.

The pure core lives in ``childcare.allocation.core``; this module loads its inputs from
the database, stores them with the results for audit, and publishes the result as
offers with one deadline in one transaction.
"""

import datetime
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.admissions import waitlist
from childcare.admissions.messages import tell_guardians
from childcare.admissions.offers import default_deadline, make_offer
from childcare.allocation import core as allocation
from childcare.errors import DomainError
from childcare.facilities import capacity
from childcare.models import (
    AllocationRound,
    Application,
    ApplicationStatus,
    Capacity,
    Facility,
    OfferStatus,
    Wish,
    WishStatus,
)


def _require_office(by) -> None:
    if by is not None and not permissions.is_municipal_office(by):
        raise DomainError(_("Only the municipal office runs allocation rounds."))


def _key(facility_id: int, age_band: str) -> str:
    return f"{facility_id}:{age_band}"


def create_round(*, target_start_date: datetime.date, by) -> AllocationRound:
    _require_office(by)
    if target_start_date <= timezone.localdate():
        raise DomainError(_("The target start date must be in the future."))
    if target_start_date > timezone.localdate() + datetime.timedelta(days=3 * 365 + 1):  # 3 years
        raise DomainError(_("The target start date must be within the next %(years)s years.") % {"years": 3})
    return AllocationRound.objects.create(target_start_date=target_start_date, created_by=by)


def snapshot(target: datetime.date) -> dict:
    """Free places per program at the target date, active applications' wishes and the priorities.

    The database sorts each program's candidates (points, submission time, lottery number), so
    no timestamps need to be loaded into Python: two integer-only scans at city scale.
    """
    wishes = Wish.objects.filter(
        status=WishStatus.ACTIVE,
        application__status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING),
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


def compute_round(*, round: AllocationRound, by) -> AllocationRound:  # noqa: A002 (the domain's word)
    """Take a fresh snapshot and compute the applicant-optimal stable matching; may be repeated."""
    _require_office(by)
    if round.status == AllocationRound.Status.PUBLISHED:
        raise DomainError(_("This round has been published and can no longer be recomputed."))
    inputs = snapshot(round.target_start_date)
    preferences, priorities, capacities = inputs["preferences"], inputs["priorities"], inputs["capacities"]
    matching = allocation.deferred_acceptance(preferences, priorities, capacities)
    position = {key: {a: i for i, a in enumerate(order, start=1)} for key, order in priorities.items()}
    results, fill = [], Counter()
    for applicant, program in matching.items():
        wishes = preferences[applicant]
        if program:
            fill[program] += 1
        best = min((position[key][applicant], key) for key in wishes) if not program and wishes else None
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
    round.snapshot = inputs
    round.results = results
    round.statistics = {
        "applicants": len(results),
        "matched": matched,
        "unmatched": len(results) - matched,
        "seats": sum(capacities.values()),
        "fill": {key: [fill[key], seats] for key, seats in capacities.items()},
        "first_wish": sum(1 for r in results if r["rank_reached"] == 1),
        "blocking_pairs": len(allocation.blocking_pairs(matching, preferences, priorities, capacities)),
    }
    round.status = AllocationRound.Status.COMPUTED
    round.computed_at = timezone.now()
    round.save()
    return round


def publish_round(
    *,
    round: AllocationRound,
    by,
    expires_at: datetime.datetime | None = None,  # noqa: A002
) -> int:
    """Create every matched family's offer with one deadline, all or nothing, and tell every family."""
    _require_office(by)
    expires_at = expires_at or default_deadline()
    with transaction.atomic():
        round = AllocationRound.objects.select_for_update().get(pk=round.pk)  # noqa: A001
        if round.status != AllocationRound.Status.COMPUTED:
            raise DomainError(_("Compute the round before publishing it."))
        wishes = Wish.objects.select_related("application__child", "facility").in_bulk(
            [r["wish"] for r in round.results if r["wish"]]
        )
        made = 0
        for result in round.results:
            wish = wishes.get(result["wish"]) if result["wish"] else None
            application = wish.application if wish else Application.objects.get(pk=result["application"])
            if wish is not None:
                start = max(
                    round.target_start_date, application.desired_start_date or round.target_start_date
                )
                try:
                    offer = make_offer(
                        wish=wish, start_date=start, by=by, expires_at=expires_at, announce=False
                    )
                except DomainError as error:
                    raise DomainError(
                        _("Places or applications changed since the preview (%(reason)s). Please recompute.")
                        % {"reason": error.message}
                    ) from None
                made += 1
            tell_guardians(
                application=application,
                kind="allocation_result",
                key=f"round:{round.pk}:application:{application.pk}",
                context={"facility": wish.facility if wish else None, "offer": offer if wish else None},
                attachments=[{"kind": "offer_letter", "object_id": offer.pk}] if wish else (),
            )
        round.status = AllocationRound.Status.PUBLISHED
        round.published_by, round.published_at = by, timezone.now()
        round.save(update_fields=["status", "published_by", "published_at"])
    return made


def facility_names(round: AllocationRound) -> dict[int, str]:  # noqa: A002
    ids = {int(key.split(":")[0]) for key in round.snapshot.get("capacities", {})}
    return dict(Facility.objects.filter(pk__in=ids).values_list("pk", "name"))
