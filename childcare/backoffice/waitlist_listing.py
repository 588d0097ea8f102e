"""One page of a facility's waitlist for the staff page, read in one statement.

The page needs every candidate's place on the whole list (so a filtered list still shows the real
position), the number of children on the list, the number matching the filters, the desired starts
of the families at the top still waiting (for "offer the next places"), and the 50 rows of the page
with their child and open offer. Reading the whole list into Python to number and filter it cost
as much as the rest of the page at city scale, and grew with the list; here the database numbers,
filters and cuts the list, and only the page's rows come back, whatever the length of the list.

The list's rule (who is on it, in which order) stays in ``childcare.admissions.waitlist``: its
condition and order (``ON_WAITLIST``, ``ORDER``), compiled by the ORM, make the statement's first
part. The statement runs on PostgreSQL and SQLite alike.
"""

import datetime
from dataclasses import dataclass
from uuid import UUID

from django.db import connection
from django.db.models import Case, IntegerField, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from childcare.admissions import waitlist
from childcare.backoffice.forms.staff import suggested_start
from childcare.models import Child, Offer, OfferStatus, Wish, WishStatus

# How many waiting families at the top of the list "offer the next places" looks at for its date.
TOP_WAITING = 3


@dataclass(frozen=True)
class Candidate:
    """One row of the page: a wish on the list with what the row shows of its application and offer."""

    pk: int
    position: int
    status: str
    rank: int
    points: int
    points_explanation: dict
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


def matching(*, state: WishStatus | None, start_month: datetime.date | None) -> Q:
    """The filters as a condition on a listed wish: its state, and its desired start in a month."""
    condition = Q()
    if state:
        condition &= Q(status=state)
    if start_month:
        first = start_month.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        condition &= Q(
            application__desired_start_date__gte=first, application__desired_start_date__lt=following
        )
    return condition


def matches(condition: Q):
    """1 for a wish meeting ``condition``, else 0 (every wish when there is no condition)."""
    if not condition:
        return Value(1, output_field=IntegerField())
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


# Every listed wish with its position, and how many of the list up to it wait for an offer (the
# same window, so no second sort), as plain columns. Built once: the joins and windows cost more to
# set up than the statement takes to compile; each page adds its list and its filters.
_LISTED = (
    Wish.objects.filter(waitlist.ON_WAITLIST)
    .order_by()
    .annotate(
        position=Window(RowNumber(), order_by=waitlist.ORDER),
        waiting_so_far=Window(
            Sum(Case(When(status=WishStatus.ACTIVE, then=Value(1)), default=Value(0))),
            order_by=waitlist.ORDER,
        ),
    )
    .values_list(
        "pk",
        "status",
        "application__desired_start_date",
        "position",
        "waiting_so_far",
        "rank",
        "points",
        "points_explanation",
        "application__public_id",
        "application__reference",
        "application__care_hours_per_week",
        "application__submitted_at",
        "application__child_id",
    )
)

# The wish and application columns come with the list (their rows are read to order it anyway);
# only the page's children and open offers are looked up by key.
_PAGE = """
WITH listed (id, status, desired_start, position, waiting_so_far, rank, points, explanation,
             public_id, reference, hours, submitted_at, child_id, matches) AS ({listed}),
summary (total, matching, top_start) AS (
    SELECT COUNT(*), COALESCE(SUM(matches), 0),
           MIN(CASE WHEN status = %s AND waiting_so_far <= %s THEN desired_start END)
    FROM listed
),
page AS (
    SELECT * FROM (
        SELECT listed.*, ROW_NUMBER() OVER (ORDER BY position) AS number FROM listed WHERE matches = 1
    ) numbered
    WHERE number > %s AND number <= %s
)
SELECT s.total, s.matching, s.top_start,
       p.position, p.id, p.status, p.rank, p.points, p.explanation, p.public_id, p.reference,
       p.desired_start, p.hours, p.submitted_at, c.first_name, o.public_id, o.expires_at
FROM summary s
LEFT JOIN page p ON 1 = 1
LEFT JOIN {child} c ON c.id = p.child_id
LEFT JOIN {offer} o ON o.wish_id = p.id AND o.status = %s
ORDER BY p.position
"""


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


def _uuid(value) -> UUID | None:
    return UUID(str(value)) if value is not None and not isinstance(value, UUID) else value


def _json(value) -> dict:
    if isinstance(value, str):
        return Wish._meta.get_field("points_explanation").from_db_value(value, None, connection)
    return value or {}


def read_page(*, facility_id: int, age_band: str, condition: Q, number: int, per_page: int) -> ListPage:
    """Page ``number`` (from 1) of the candidates of one list that meet ``condition``, in list order.

    One query. A page past the end comes back without candidates; ``matching`` says where the end is.
    """
    # an annotation after values_list() comes last among the columns
    listed = _LISTED.filter(facility_id=facility_id, age_band=age_band).annotate(matches=matches(condition))
    listed_sql, listed_params = listed.query.sql_with_params()
    sql = _PAGE.format(
        listed=listed_sql,
        child=Child._meta.db_table,
        offer=Offer._meta.db_table,
    )
    offset = (number - 1) * per_page
    params = [*listed_params, WishStatus.ACTIVE, TOP_WAITING, offset, offset + per_page, OfferStatus.OPEN]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total, found, top_start = rows[0][:3]
    return ListPage(
        total=total,
        matching=found,
        top_start=_date(top_start),
        candidates=[
            Candidate(
                pk=pk,
                position=position,
                status=status,
                rank=rank,
                points=points,
                points_explanation=_json(explanation),
                public_id=_uuid(public_id),
                reference=reference,
                first_name=first_name,
                desired_start=_date(desired_start),
                care_hours_per_week=hours,
                submitted=timezone.localdate(_aware(submitted)) if submitted else None,
                offer_public_id=_uuid(offer_id),
                offer_expires_at=_aware(expires_at),
            )
            for (
                _total,
                _found,
                _top,
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
            if pk is not None
        ],
    )
