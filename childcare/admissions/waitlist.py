"""Waitlist order: who stands where for a facility and age band.

Order: more points first, then earlier submission, then the lottery number drawn
once per application. Only wishes still waiting (or holding an open offer) of
submitted applications take part.
"""

import datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from childcare.models import LISTED_APPLICATION_STATUSES, LISTED_WISH_STATUSES, Wish

# On the list: the wish still waiting (or holding an open offer), its application waiting or
# offered. The database keeps this on the wish as ``listed``, with the application's submission time
# and lottery number beside it (migration 0018's triggers), so a list and its order are one range of
# the ``wish_queue_idx`` index; ``LISTED_BY_STATUS`` is the same condition from the statuses.
LISTED_BY_STATUS = Q(status__in=LISTED_WISH_STATUSES, application__status__in=LISTED_APPLICATION_STATUSES)
ON_WAITLIST = Q(listed=True)
ORDER = (
    F("points").desc(),
    F("application_submitted_at").asc(),
    F("application_lottery_number").asc(),
    F("pk").asc(),
)


def waitlist(*, facility_id: int, age_band: str | None = None) -> QuerySet[Wish]:
    """The ranked waitlist of one facility (optionally one age band)."""
    wishes = Wish.objects.filter(ON_WAITLIST, facility_id=facility_id)
    if age_band:
        wishes = wishes.filter(age_band=age_band)
    return wishes.order_by(*ORDER)


# Up to this many wishes (a family's dashboard), each place is counted from its list's index;
# more (the nightly announcements over the whole town) are ranked in one pass over the lists.
COUNTED_POSITIONS = 25


def positions(wishes) -> dict[int, tuple[int, int]]:
    """Place and list length for each given wish on its facility's list for its age band.

    One query however many wishes and lists are involved (none for no wish on a list); wishes
    not on a list are left out.
    """
    wishes = list(wishes)
    if len(wishes) <= COUNTED_POSITIONS:
        return _counted_positions(wishes)
    wanted = {wish.pk: (wish.facility_id, wish.age_band) for wish in wishes}
    partition = [F("facility_id"), F("age_band")]
    ranked = (
        Wish.objects.filter(ON_WAITLIST, facility_id__in={f for f, _ in wanted.values()})
        .annotate(
            position=Window(RowNumber(), partition_by=partition, order_by=ORDER),
            total=Window(Count("pk"), partition_by=partition),
        )
        .values_list("pk", "position", "total")
    )
    return {pk: (position, total) for pk, position, total in ranked if pk in wanted}


class Entry(NamedTuple):
    """A wish's key in ``ORDER``: enough to count its place without loading anything."""

    wish_id: int
    facility_id: int
    age_band: str
    points: int
    submitted_at: datetime.datetime
    lottery_number: int


# ``ORDER`` as a count: the entries on each given wish's list, and those ahead of it, read from the
# wishes' own keys through the list's index, with no application read.
_PLACES = """
WITH mine (wish_id, facility_id, age_band, points, submitted_at, lottery_number) AS (VALUES {entries})
SELECT mine.wish_id, COUNT(*),
       SUM(CASE WHEN other.points > mine.points
                  OR (other.points = mine.points
                      AND (other.application_submitted_at, other.application_lottery_number, other.id)
                          < (mine.submitted_at, mine.lottery_number, mine.wish_id))
           THEN 1 ELSE 0 END)
FROM mine
JOIN childcare_wish other ON other.facility_id = mine.facility_id AND other.age_band = mine.age_band
WHERE other.listed
GROUP BY mine.wish_id
"""


def counted_places(entries: list[Entry]) -> dict[int, tuple[int, int]]:
    """Place and list length of each entry's wish, the wishes being on their lists.

    One statement over just the lists concerned, read through the lists' index, with no list
    loaded or sorted; none for no entry.
    """
    if not entries:
        return {}
    params = []
    for entry in entries:
        params += [*entry[:4], connection.ops.adapt_datetimefield_value(entry.submitted_at), entry[5]]
    with connection.cursor() as cursor:
        cursor.execute(_PLACES.format(entries=", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(entries))), params)
        return {wish_id: (ahead + 1, total) for wish_id, total, ahead in cursor.fetchall()}


def _counted_positions(wishes) -> dict[int, tuple[int, int]]:
    """The wishes carry their application, as loaded."""
    return counted_places(
        [
            Entry(
                wish.pk,
                wish.facility_id,
                wish.age_band,
                wish.points,
                wish.application.submitted_at,
                wish.application.lottery_number,
            )
            for wish in wishes
            if wish.status in LISTED_WISH_STATUSES and wish.application.status in LISTED_APPLICATION_STATUSES
        ]
    )
