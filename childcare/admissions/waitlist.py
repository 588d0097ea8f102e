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


def _ahead_of(wish: Wish) -> Q:
    """The list entries before ``wish`` in ``ORDER`` (submitted applications have a submission time)."""
    application = wish.application
    return (
        Q(points__gt=wish.points)
        | Q(points=wish.points, application__submitted_at__lt=application.submitted_at)
        | Q(
            points=wish.points,
            application__submitted_at=application.submitted_at,
            application__lottery_number__lt=application.lottery_number,
        )
        | Q(
            points=wish.points,
            application__submitted_at=application.submitted_at,
            application__lottery_number=application.lottery_number,
            pk__lt=wish.pk,
        )
    )


def _counted_positions(wishes) -> dict[int, tuple[int, int]]:
    """One query: a COUNT pair per wish over just the lists concerned (read through the waitlist
    index), with no list loaded or sorted. The wishes carry their application, as loaded."""
    listed = [
        wish
        for wish in wishes
        if wish.status in LISTED_WISH_STATUSES and wish.application.status in LISTED_APPLICATION_STATUSES
    ]
    if not listed:
        return {}
    lists = Q()
    counts = {}
    for wish in listed:
        same_list = Q(facility_id=wish.facility_id, age_band=wish.age_band)
        lists |= same_list
        counts[f"total_{wish.pk}"] = Count("pk", filter=same_list)
        counts[f"ahead_{wish.pk}"] = Count("pk", filter=same_list & _ahead_of(wish))
    found = Wish.objects.filter(ON_WAITLIST).filter(lists).aggregate(**counts)
    return {wish.pk: (found[f"ahead_{wish.pk}"] + 1, found[f"total_{wish.pk}"]) for wish in listed}
