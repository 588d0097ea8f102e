"""One page of a facility's waitlist for the staff page, read in one statement.

The page needs every candidate's place on the whole list (so a filtered list still shows the real
position), the number of children on the list, the number matching the filters, the desired starts
of the families at the top still waiting (for "offer the next places"), and the 50 rows of the page
with their child and open offer. Reading the whole list into Python to number and filter it cost
as much as the rest of the page at city scale, and grew with the list; here the database numbers,
filters and cuts the list, and only the page's rows (and the list's first, for the counts) come
back, whatever the length of the list.

The list's rule (who is on it, in which order) is ``childcare.admissions.waitlist``'s condition and
order (``ON_WAITLIST``, ``ORDER``); the statement writes them out, as ``waitlist.counted_places``
does, because compiling them through the ORM on every request cost a good part of the page's
time, and a test holds both to the same list. The statement runs on PostgreSQL and SQLite alike.
"""

import datetime
import json
from dataclasses import dataclass
from typing import NamedTuple
from uuid import UUID

from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from childcare.backoffice.forms.staff import suggested_start
from childcare.models import (
    Application,
    Child,
    Offer,
    OfferStatus,
    Wish,
    WishStatus,
)

# How many waiting families at the top of the list "offer the next places" looks at for its date.
TOP_WAITING = 3


class Candidate(NamedTuple):
    """One row of the page: a wish on the list with what the row shows of its application and offer.

    A tuple: fifty are made per page, straight from the statement's rows.
    """

    position: int
    pk: int
    status: str
    rank: int
    points: int
    points_explanation_json: str  # as stored; the rows write each distinct one once (waitlist_rows)
    public_id: UUID
    reference: str
    first_name: str
    desired_start: datetime.date | None
    care_hours_per_week: int | None
    submitted: datetime.date | None  # the local day of submission
    offer_public_id: UUID | None  # the open offer, if any
    offer_expires_at: datetime.datetime | None

    @property
    def offer_start(self) -> datetime.date:
        """The start an offer to this family suggests (``forms.staff.suggested_start``)."""
        return suggested_start([self.desired_start])


@dataclass(frozen=True)
class ListPage:
    total: int  # children on the list
    matching: int  # of them, matching the filters
    top_start: datetime.date | None  # earliest desired start of the first TOP_WAITING still waiting
    candidates: list[Candidate]


def _month(start_month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day of the month and of the following one."""
    first = start_month.replace(day=1)
    return first, (first + datetime.timedelta(days=32)).replace(day=1)


def matching(*, state: WishStatus | None, start_month: datetime.date | None) -> Q:
    """The filters as a condition on a listed wish: its state, and its desired start in a month."""
    condition = Q()
    if state:
        condition &= Q(status=state)
    if start_month:
        first, following = _month(start_month)
        condition &= Q(
            application__desired_start_date__gte=first, application__desired_start_date__lt=following
        )
    return condition


def matches(condition: Q):
    """1 for a wish meeting ``condition``, else 0 (every wish when there is no condition)."""
    if not condition:
        return Value(1, output_field=IntegerField())
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


# ``waitlist.ON_WAITLIST`` and ``waitlist.ORDER`` written out (tests/childcare/test_waitlist_listing.py
# holds them to the ORM's). The list is numbered from the wishes' own keys, one range of the
# ``wish_queue_idx`` index read without touching the table; ``number`` counts the rows meeting the
# filters up to each row on the same window, so the page is a range of it with no second sort. The
# counts come on every row (windows over the whole list), and the list's first row always comes
# back, so an empty page still brings them. Applications are read only for the page's rows and the
# first few still waiting (and, for a month filter, for the whole list), open offers only for the
# rows holding one; the child's name as a subquery is cheaper to plan than one more join.
_PAGE = f"""
WITH listed AS (
    SELECT w.id, w.status,
           ROW_NUMBER() OVER queue AS position,
           SUM(CASE WHEN w.status = %s THEN 1 ELSE 0 END) OVER queue AS waiting_so_far,
           {{matches}} AS matches,
           SUM({{matches}}) OVER queue AS number,
           COUNT(*) OVER () AS total,
           SUM({{matches}}) OVER () AS matching
    FROM {Wish._meta.db_table} w{{month_join}}
    WHERE w.facility_id = %s AND w.age_band = %s AND w.listed
    WINDOW queue AS (ORDER BY w.points DESC, w.application_submitted_at ASC,
                              w.application_lottery_number ASC, w.id ASC)
)
SELECT l.total, l.matching,
       (SELECT MIN(ta.desired_start_date)
        FROM listed t
        JOIN {Wish._meta.db_table} tw ON tw.id = t.id
        JOIN {Application._meta.db_table} ta ON ta.id = tw.application_id
        WHERE t.status = %s AND t.waiting_so_far <= %s),
       l.matches, l.number,
       l.position, w.id, w.status, w.rank, w.points, w.points_explanation, a.public_id, a.reference,
       a.desired_start_date, a.care_hours_per_week, {{submitted_day}},
       (SELECT c.first_name FROM {Child._meta.db_table} c WHERE c.id = a.child_id),
       CASE WHEN l.status = %s THEN (SELECT o.public_id FROM {Offer._meta.db_table} o
                                     WHERE o.wish_id = l.id AND o.status = %s) END,
       CASE WHEN l.status = %s THEN (SELECT o.expires_at FROM {Offer._meta.db_table} o
                                     WHERE o.wish_id = l.id AND o.status = %s) END
FROM listed l
JOIN {Wish._meta.db_table} w ON w.id = l.id
JOIN {Application._meta.db_table} a ON a.id = w.application_id
WHERE (l.matches = 1 AND l.number >= %s AND l.number <= %s) OR l.position = 1
ORDER BY l.position
"""  # noqa: S608 (no value from outside)
# The day of submission in the portal's time zone: PostgreSQL works it out (a date reads faster
# than a timestamp with its zone, fifty times a page); SQLite, with no time zones, hands over the
# stored UTC time and Python does.
_SUBMITTED_DAY = {"postgresql": "(a.submitted_at AT TIME ZONE %s)::date"}
# A month filter reads each listed wish's application for its desired start.
_MONTH_JOIN = f"\n    JOIN {Application._meta.db_table} ma ON ma.id = w.application_id"


def _filtered(*, state: WishStatus | None, start_month: datetime.date | None) -> tuple[str, list]:
    """``matching``'s condition as SQL on the list's row (1 or 0), with its parameters."""
    conditions, params = [], []
    if state:
        conditions.append("w.status = %s")
        params.append(state)
    if start_month:
        conditions.append("ma.desired_start_date >= %s AND ma.desired_start_date < %s")
        params += _month(start_month)
    if not conditions:
        return "1", []
    return f"CASE WHEN {' AND '.join(conditions)} THEN 1 ELSE 0 END", params


def _date(value) -> datetime.date | None:
    # SQLite returns dates read through a subquery as text.
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _aware(value) -> datetime.datetime | None:
    # SQLite returns datetimes read by raw SQL naive, in UTC (as text through a subquery).
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, datetime.UTC)
    return value


def _day(submitted, zone) -> datetime.date | None:
    """The local day of submission: a date from PostgreSQL, a UTC time from SQLite."""
    if submitted is None or type(submitted) is datetime.date:
        return submitted
    return _aware(submitted).astimezone(zone).date()


def _uuid(value) -> UUID | None:
    return UUID(str(value)) if value is not None and not isinstance(value, UUID) else value


def _json_text(value) -> str:
    # Django reads jsonb as text (its field decodes it); left as text, many rows share one.
    return value if isinstance(value, str) else json.dumps(value or {})


def read_page(
    *,
    facility_id: int,
    age_band: str,
    state: WishStatus | None,
    start_month: datetime.date | None,
    number: int,
    per_page: int,
) -> ListPage:
    """Page ``number`` (from 1) of the candidates of one list that meet ``matching(state, start_month)``,
    in list order.

    One query. A page past the end comes back without candidates; ``matching`` says where the end is.
    """
    matches, match_params = _filtered(state=state, start_month=start_month)
    first, last = (number - 1) * per_page + 1, number * per_page
    submitted_day = _SUBMITTED_DAY.get(connection.vendor)
    params = [
        WishStatus.ACTIVE,
        *match_params,
        *match_params,
        *match_params,
        facility_id,
        age_band,
        WishStatus.ACTIVE,
        TOP_WAITING,
        *([timezone.get_current_timezone_name()] if submitted_day else []),
        WishStatus.OFFERED,
        OfferStatus.OPEN,
        WishStatus.OFFERED,
        OfferStatus.OPEN,
        first,
        last,
    ]
    sql = _PAGE.format(
        matches=matches,
        month_join=_MONTH_JOIN if start_month else "",
        submitted_day=submitted_day or "a.submitted_at",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total, found, top_start = rows[0][:3] if rows else (0, 0, None)
    zone = timezone.get_current_timezone()
    return ListPage(
        total=total,
        matching=found,
        top_start=_date(top_start),
        candidates=[
            Candidate(
                position,
                pk,
                status,
                rank,
                points,
                _json_text(explanation),
                _uuid(public_id),
                reference,
                first_name,
                _date(desired_start),
                hours,
                _day(submitted, zone),
                _uuid(offer_id),
                _aware(expires_at),
            )
            for (
                _total,
                _found,
                _top,
                meets,
                row_number,
                position,
                pk,
                status,
                rank,
                points,
                explanation,
                public_id,
                reference,
                desired_start,
                hours,
                submitted,
                first_name,
                offer_id,
                expires_at,
            ) in rows
            if meets == 1 and first <= row_number <= last
        ],
    )
