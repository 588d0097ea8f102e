"""Waitlist order: who stands where for a facility and age band.

Order: more points first, then earlier submission, then the lottery number drawn
once per application. Only wishes still waiting (or holding an open offer) of
submitted applications take part.
"""

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from childcare.models import LISTED_APPLICATION_STATUSES, LISTED_WISH_STATUSES, Wish

ON_WAITLIST = Q(status__in=LISTED_WISH_STATUSES, application__status__in=LISTED_APPLICATION_STATUSES)
ORDER = (
    F("points").desc(),
    F("application__submitted_at").asc(),
    F("application__lottery_number").asc(),
    F("pk").asc(),
)


def waitlist(*, facility_id: int, age_band: str | None = None) -> QuerySet[Wish]:
    """The ranked waitlist of one facility (optionally one age band)."""
    wishes = Wish.objects.filter(ON_WAITLIST, facility_id=facility_id)
    if age_band:
        wishes = wishes.filter(age_band=age_band)
    return wishes.order_by(*ORDER)


def positions(wishes) -> dict[int, tuple[int, int]]:
    """Place and list length for each given wish on its facility's list for its age band.

    One query however many wishes and lists are involved.
    """
    wanted = {wish.pk: (wish.facility_id, wish.age_band) for wish in wishes}
    if not wanted:
        return {}
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
