"""Opening many offers at once, for an allocation round: the bulk form of the offer transition.

Each match is re-checked under the locks (the wish still on the waitlist, the application
still waiting, a free place from the start date on); a match that no longer holds is
refused with its reason instead of failing the others. Runs in the caller's transaction,
a fixed number of queries whatever the number of matches.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from childcare.actors import SYSTEM, Actor, require_actor
from childcare.admissions.events import record_events
from childcare.admissions.transitions import application as application_transitions
from childcare.admissions.transitions import steps
from childcare.admissions.transitions import wish as wish_transitions
from childcare.admissions.transitions.offer import start_date_for
from childcare.facilities import capacity
from childcare.facilities.availability import refresh_availability
from childcare.models import (
    WAITING_APPLICATION_STATUSES,
    AllocationRound,
    Application,
    ApplicationStatus,
    Capacity,
    EventKind,
    Offer,
    Wish,
    WishStatus,
)


class RefusalReason(models.TextChoices):
    WISH_GONE = "wish_gone", _("the wish is no longer on the waitlist")
    NOT_WAITING = "not_waiting", _("the application is no longer waiting")
    NO_PLACE = "no_place", _("no free place is left")


@dataclass(frozen=True)
class Match:
    """An application and the wish a round matched it to (None: the wish was deleted since)."""

    application_id: int
    wish_id: int | None


@dataclass(frozen=True)
class Refusal:
    match: Match
    reason: RefusalReason


@dataclass(frozen=True)
class BulkOffers:
    opened: list[Offer]
    refused: list[Refusal]


def open_offers_in_bulk(
    *,
    matches: Sequence[Match],
    expires_at: datetime.datetime,
    by: Actor,
    round: AllocationRound,  # noqa: A002 (the domain's word)
) -> BulkOffers:
    """Open one offer per still valid match, all with ``expires_at``; the wish and application become offered.

    Locks, in the written order: the matches' capacity rows (by pk), their applications (by
    pk), their wishes (by pk). Writes the offers, both status changes and one OFFER_MADE event
    per offer, acted by ``by`` (the office) or ``SYSTEM``. Messages are the caller's: a round
    tells every family its result, offered or not.
    """
    require_actor(by)
    steps.require_transaction()
    if not matches:
        return BulkOffers(opened=[], refused=[])
    # Which program each wish is for, read before locking to know which capacity rows to lock.
    programs = {
        pk: (facility_id, band)
        for pk, facility_id, band in Wish.objects.filter(pk__in=[m.wish_id for m in matches]).values_list(
            "pk", "facility_id", "age_band"
        )
    }
    places = _lock_capacities(set(programs.values()))
    applications = {
        a.pk: a
        for a in Application.objects.select_for_update(of=("self",))
        .filter(pk__in=[m.application_id for m in matches])
        .order_by("pk")
        .only("pk", "status", "desired_start_date")
    }
    wishes = {
        w.pk: w
        for w in Wish.objects.select_for_update(of=("self",))
        .filter(pk__in=list(programs))
        .order_by("pk")
        .only("pk", "application_id", "facility_id", "age_band", "status")
    }
    starts = {pk: start_date_for(a, not_before=round.target_start_date) for pk, a in applications.items()}
    taken = capacity.occupancies_by_band(
        facility_ids={facility_id for facility_id, _band in places},
        from_date=min(starts.values(), default=round.target_start_date),
    )
    opened, refused = [], []
    for match in matches:
        wish, application = wishes.get(match.wish_id), applications.get(match.application_id)
        reason = _refusal(wish, application, match)
        if reason is None:
            key = (wish.facility_id, wish.age_band)
            start = starts[application.pk]
            if capacity.lowest_free_places_from(places.get(key, 0), taken[key], start) <= 0:
                reason = RefusalReason.NO_PLACE
            else:
                taken[key].append(capacity.Occupancy(start, None))
        if reason is not None:
            refused.append(Refusal(match=match, reason=reason))
            continue
        opened.append(
            Offer(
                application_id=application.pk,
                wish_id=wish.pk,
                start_date=starts[application.pk],
                expires_at=expires_at,
                created_by=by if by is not SYSTEM else None,
            )
        )
    if opened:
        _write(opened, applications, by)
        refresh_availability(
            programs={(wishes[o.wish_id].facility_id, wishes[o.wish_id].age_band) for o in opened}
        )
    return BulkOffers(opened=opened, refused=refused)


def _refusal(wish: Wish | None, application: Application | None, match: Match) -> RefusalReason | None:
    if wish is None or wish.application_id != match.application_id or wish.status != WishStatus.ACTIVE:
        return RefusalReason.WISH_GONE
    if application is None or application.status not in WAITING_APPLICATION_STATUSES:
        return RefusalReason.NOT_WAITING
    return None


def _lock_capacities(programs: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """Lock the capacity rows of ``programs`` in pk order; places per (facility, age band)."""
    rows = Capacity.objects.filter(facility_id__in={facility_id for facility_id, _band in programs})
    wanted = [
        pk
        for pk, facility_id, band in rows.values_list("pk", "facility_id", "age_band")
        if (facility_id, band) in programs
    ]
    locked = (
        Capacity.objects.select_for_update(of=("self",))
        .filter(pk__in=wanted)
        .order_by("pk")
        .values_list("facility_id", "age_band", "places")
    )
    places: dict[tuple[int, str], int] = defaultdict(int)
    for facility_id, band, count in locked:
        places[facility_id, band] = count
    return places


def _write(offers: list[Offer], applications: dict[int, Application], by: Actor) -> None:
    """The steps of ``offer.open_offer``, one statement each for all offers; messages are the round's.

    Everything that follows from offers being made (wish statuses, events) is written here, after
    the offers, in the caller's transaction; the caller then refreshes the stored free places.
    """
    Offer.objects.bulk_create(offers)
    wish_transitions.move_all(Wish.objects.filter(pk__in=[o.wish_id for o in offers]), WishStatus.OFFERED)
    application_transitions.move_all(
        Application.objects.filter(pk__in=[o.application_id for o in offers]), ApplicationStatus.OFFERED
    )
    actor_kind = steps.staff_actor_kind(by)
    record_events(
        entries=[
            {
                "application": applications[offer.application_id],
                "kind": EventKind.OFFER_MADE,
                "by": by,
                "actor_kind": actor_kind,
                "wish_id": offer.wish_id,
                "from_status": applications[offer.application_id].status,
                "to_status": ApplicationStatus.OFFERED,
            }
            for offer in offers
        ]
    )
