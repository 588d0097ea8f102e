"""Stored points for wishes, recomputed in bulk whenever their inputs change.

``priority.wish_points`` is the rule. On PostgreSQL the same rule runs as one set-based
UPDATE per batch (``_SCORE_SQL``), because reading half a million wishes into Python and
writing them back takes minutes at city scale; a test compares both on edge cases (leap-day
birthdays, month ends, unanswered drafts, siblings). Other databases score in Python.
"""

import datetime
import json
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import asdict

from django.conf import settings
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

# Wishes scored per batch: bounds memory and each statement at city scale (ids only on PostgreSQL,
# some 50 MB of wishes elsewhere); fewer, larger batches spare PostgreSQL a join per batch.
BATCH_SIZE = 20_000
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
    # The whole town's walk gets its own statement settings; one family's few wishes do not.
    tuned = _statement_settings(work_mem="64MB", jit="off") if wishes is None else nullcontext()
    if wishes is None:
        wishes = Wish.objects.filter(status__in=LISTED_WISH_STATUSES)
    if connection.vendor != "postgresql":
        return _recompute_in_python(wishes, policy, today, on_batch)
    wishes = wishes.order_by("pk")
    changed, after = 0, 0
    with tuned:
        while True:
            ids = list(wishes.filter(pk__gt=after).values_list("pk", flat=True)[:BATCH_SIZE])
            if ids:
                changed += _score_in_sql(ids, policy, today)
                after = ids[-1]
                if on_batch is not None:
                    on_batch(len(ids))
            if len(ids) < BATCH_SIZE:
                return changed


def _recompute_in_python(wishes: QuerySet[Wish], policy, today: datetime.date, on_batch) -> int:
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


@contextmanager
def _statement_settings(**settings_: str):
    """PostgreSQL settings for the scoring statements, the connection's own ones restored after.

    The batch is sorted in memory rather than on disk, and JIT compiling is skipped: it costs
    more than it saves on statements of this size. Two queries to set (read, set), one to restore.
    """
    names = list(settings_)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("current_setting(%s)" for _ in names),  # noqa: S608 (placeholders only)
            names,
        )
        previous = cursor.fetchone()
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, false)" for _ in names),  # noqa: S608
            [value for name in names for value in (name, settings_[name])],
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join("set_config(%s, %s, false)" for _ in names),  # noqa: S608
                [value for name, old in zip(names, previous, strict=True) for value in (name, old)],
            )


# wish_points in SQL: the same parts, zero parts left out of the explanation, only changed
# rows written. Ages and months waited use the calendar arithmetic of childcare.age
# (a birthday on 29 February counts from 1 March), submission days are local dates.
_SCORE_SQL = """
WITH batch AS MATERIALIZED (
    SELECT wish.id, wish.application_id, EXISTS (
               SELECT 1 FROM childcare_guardianship AS own
               JOIN childcare_guardianship AS sibling
                 ON sibling.user_id = own.user_id AND sibling.child_id <> own.child_id
               JOIN childcare_placement AS placement
                 ON placement.child_id = sibling.child_id AND placement.status = %(active)s
                AND placement.facility_id = wish.facility_id
               WHERE own.child_id = application.child_id
           ) AS sibling
    FROM childcare_wish AS wish
    JOIN childcare_application AS application ON application.id = wish.application_id
    WHERE wish.id = ANY(%(ids)s)
), facts AS MATERIALIZED (
    -- Everything but the sibling is the application's: computed once per application.
    SELECT application.id, application.resides_in_municipality AS resides,
           COALESCE(application.guardians_working_or_training, 0) AS working,
           application.single_parent, application.hardship_referral,
           child.birth_date, COALESCE(application.desired_start_date, %(today)s::date) AS start_date,
           (application.submitted_at AT TIME ZONE %(time_zone)s)::date AS submitted_on
    FROM childcare_application AS application
    JOIN childcare_child AS child ON child.id = application.child_id
    WHERE application.id IN (SELECT application_id FROM batch)
), parts AS (
    SELECT id,
        CASE WHEN resides THEN %(residence)s ELSE 0 END AS residence,
        CASE WHEN EXTRACT(YEAR FROM start_date) - EXTRACT(YEAR FROM birth_date)
                  - CASE WHEN EXTRACT(MONTH FROM start_date) * 100 + EXTRACT(DAY FROM start_date)
                            < EXTRACT(MONTH FROM birth_date) * 100 + EXTRACT(DAY FROM birth_date)
                         THEN 1 ELSE 0 END >= 1
             THEN %(legal_entitlement)s ELSE 0 END AS legal_entitlement,
        CASE WHEN single_parent THEN %(single_parent)s ELSE 0 END AS single_parent,
        %(working_guardian)s * working AS working_guardians,
        CASE WHEN hardship_referral THEN %(hardship)s ELSE 0 END AS hardship,
        CASE WHEN submitted_on IS NOT NULL AND %(today)s::date > submitted_on
             THEN %(month_waited)s * LEAST(%(months_waited_cap)s, (
                 (EXTRACT(YEAR FROM %(today)s::date) - EXTRACT(YEAR FROM submitted_on)) * 12
                 + EXTRACT(MONTH FROM %(today)s::date) - EXTRACT(MONTH FROM submitted_on)
                 - CASE WHEN EXTRACT(DAY FROM %(today)s::date) < EXTRACT(DAY FROM submitted_on)
                        THEN 1 ELSE 0 END)::integer)
             ELSE 0 END AS months_waited
    FROM facts
), per_application AS MATERIALIZED (
    SELECT id,
        residence + legal_entitlement + single_parent + working_guardians + hardship
            + months_waited AS points,
        jsonb_strip_nulls(jsonb_build_object(
            'residence', NULLIF(residence, 0),
            'legal_entitlement', NULLIF(legal_entitlement, 0),
            'single_parent', NULLIF(single_parent, 0),
            'working_guardians', NULLIF(working_guardians, 0),
            'hardship', NULLIF(hardship, 0),
            'months_waited', NULLIF(months_waited, 0)
        )) AS explanation
    FROM parts
), scored AS MATERIALIZED (
    SELECT batch.id, batch.sibling,
        per_application.points + CASE WHEN batch.sibling THEN %(sibling)s ELSE 0 END AS points,
        CASE WHEN batch.sibling AND %(sibling)s <> 0
             THEN per_application.explanation || jsonb_build_object('sibling', %(sibling)s)
             ELSE per_application.explanation END AS explanation
    FROM batch JOIN per_application ON per_application.id = batch.application_id
)
UPDATE childcare_wish AS wish
SET points = scored.points, points_explanation = scored.explanation, sibling_at_facility = scored.sibling
FROM scored
WHERE wish.id = scored.id AND wish.id BETWEEN %(first)s AND %(last)s
  AND (wish.points, wish.points_explanation, wish.sibling_at_facility)
      IS DISTINCT FROM (scored.points, scored.explanation, scored.sibling)
"""


def _score_in_sql(ids: list[int], policy, today: datetime.date) -> int:
    """Score the wishes ``ids`` in one UPDATE; returns how many changed."""
    parameters = {
        **asdict(policy),
        "ids": ids,
        "first": ids[0],
        "last": ids[-1],
        "today": today,
        "time_zone": settings.TIME_ZONE,
        "active": PlacementStatus.ACTIVE,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SCORE_SQL, parameters)
        return cursor.rowcount


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
