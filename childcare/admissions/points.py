"""Stored points for wishes, recomputed in bulk whenever their inputs change."""

import datetime
import json
from collections.abc import Callable

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from childcare.admissions.priority import WishFacts, wish_points
from childcare.models import (
    LISTED_WISH_STATUSES,
    Guardianship,
    Placement,
    PlacementStatus,
    PriorityPolicy,
    Wish,
)

# Wishes scored per batch: bounds memory at city scale (a few MB per batch).
BATCH_SIZE = 5000
# SQLite's CASE-based bulk update is limited by its query parameters; keep its statements small.
SQLITE_UPDATE_BATCH = 1000
_SCORE_FIELDS = ["points", "points_explanation", "sibling_at_facility"]


def _sibling_facilities(child_ids: set[int]) -> dict[int, set[int]]:
    """For each child, the facilities where a brother or sister (same guardian) has an active place."""
    guardians = Guardianship.objects.filter(child_id__in=child_ids).values_list("child_id", "user_id")
    users_of: dict[int, set[int]] = {}
    for child_id, user_id in guardians:
        users_of.setdefault(child_id, set()).add(user_id)
    all_users = set().union(*users_of.values()) if users_of else set()
    children_of: dict[int, set[int]] = {}
    for child_id, user_id in Guardianship.objects.filter(user_id__in=all_users).values_list(
        "child_id", "user_id"
    ):
        children_of.setdefault(user_id, set()).add(child_id)
    placed = Placement.objects.filter(
        status=PlacementStatus.ACTIVE,
        child_id__in=set().union(*children_of.values()) if children_of else set(),
    ).values_list("child_id", "facility_id")
    facilities_of_child: dict[int, set[int]] = {}
    for child_id, facility_id in placed:
        facilities_of_child.setdefault(child_id, set()).add(facility_id)
    result: dict[int, set[int]] = {}
    for child_id, users in users_of.items():
        siblings = set().union(*(children_of.get(user, set()) for user in users)) - {child_id}
        result[child_id] = (
            set().union(*(facilities_of_child.get(s, set()) for s in siblings)) if siblings else set()
        )
    return result


def recompute_points(
    *,
    wishes: QuerySet[Wish] | None = None,
    today: datetime.date | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Recompute points, explanation and sibling flag of the given wishes (default: all listed ones).

    Walks the wishes in pk order, ``BATCH_SIZE`` at a time (keyset pagination), so memory
    stays bounded at city scale; each batch is written with one statement, never one save per
    wish. ``on_batch`` is told each batch's size, e.g. to record a job's progress. Returns how
    many wishes changed.
    """
    today = today or timezone.localdate()
    policy = PriorityPolicy.load().as_points_policy()
    if wishes is None:
        wishes = Wish.objects.filter(status__in=LISTED_WISH_STATUSES)
    wishes = wishes.select_related("application__child").order_by("pk")
    changed, after = 0, 0
    while True:
        rows = list(wishes.filter(pk__gt=after)[:BATCH_SIZE])
        if rows:
            changed += _write_points(_rescored(rows, policy, today))
            after = rows[-1].pk
            if on_batch is not None:
                on_batch(len(rows))
        if len(rows) < BATCH_SIZE:
            return changed


def _rescored(rows: list[Wish], policy, today: datetime.date) -> list[Wish]:
    """The wishes of ``rows`` whose points, explanation or sibling flag changed, updated in memory."""
    siblings = _sibling_facilities({wish.application.child_id for wish in rows})
    changed = []
    for wish in rows:
        application = wish.application
        sibling = wish.facility_id in siblings.get(application.child_id, set())
        points, explanation = wish_points(
            policy,
            WishFacts(
                resides_in_municipality=application.resides_in_municipality,
                guardians_working_or_training=application.guardians_working_or_training,
                single_parent=application.single_parent,
                hardship_referral=application.hardship_referral,
                sibling_at_facility=sibling,
                birth_date=application.child.birth_date,
                start_date=application.desired_start_date or today,
                submitted_on=timezone.localdate(application.submitted_at)
                if application.submitted_at
                else None,
            ),
            today=today,
        )
        if (points, explanation, sibling) != (wish.points, wish.points_explanation, wish.sibling_at_facility):
            wish.points, wish.points_explanation, wish.sibling_at_facility = points, explanation, sibling
            changed.append(wish)
    return changed


def _write_points(changed: list[Wish]) -> int:
    """One UPDATE ... FROM (VALUES ...) on PostgreSQL; Django's CASE-based bulk_update elsewhere."""
    if not changed:
        return 0
    if connection.vendor != "postgresql":
        Wish.objects.bulk_update(changed, _SCORE_FIELDS, batch_size=SQLITE_UPDATE_BATCH)
        return len(changed)
    table = connection.ops.quote_name(Wish._meta.db_table)
    rows = ", ".join(["(%s, %s, %s::jsonb, %s)"] * len(changed))
    params = []
    for wish in changed:
        params += [wish.pk, wish.points, json.dumps(wish.points_explanation), wish.sibling_at_facility]
    with connection.cursor() as cursor:
        # Only the quoted table name and placeholders are formatted in; the values are parameters.
        sql = (
            f"UPDATE {table} AS wish SET points = v.points, points_explanation = v.explanation, "  # noqa: S608
            f"sibling_at_facility = v.sibling FROM (VALUES {rows}) AS v(id, points, explanation, sibling) "
            "WHERE wish.id = v.id"
        )
        cursor.execute(sql, params)
    return len(changed)
