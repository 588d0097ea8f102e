"""Optional news: a daily summary of new applications for staff, and better waitlist places for families."""

import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from childcare.admissions import waitlist
from childcare.admissions.messages import tell_facility_staff, tell_guardians
from childcare.models import Facility, Wish
from portal.models import PortalSettings


def send_staff_digests(*, day: datetime.date | None = None) -> int:
    """For each facility, how many applications naming it were submitted on ``day`` (default: yesterday)."""
    day = day or timezone.localdate() - datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    counts = (
        Wish.objects.filter(application__submitted_at__gte=start, application__submitted_at__lt=end)
        .values("facility_id")
        .annotate(count=Count("application_id", distinct=True))
    )
    facilities = Facility.objects.in_bulk([row["facility_id"] for row in counts])
    for row in counts:
        with transaction.atomic():
            tell_facility_staff(
                facility=facilities[row["facility_id"]],
                kind="staff_new_applications_digest",
                key=f"digest:{row['facility_id']}:{day.isoformat()}",
                context={"count": row["count"]},
            )
    return len(counts)


def announce_position_improvements() -> int:
    """Tell families whose place on a waitlist improved by at least the configured step.

    The first computed place is only remembered; later improvements are announced once each.
    """
    step = PortalSettings.load().position_improvement_step
    wishes = list(Wish.objects.filter(waitlist.ON_WAITLIST).select_related("application__child", "facility"))
    places = waitlist.positions(wishes)
    changed, announced = [], 0
    for wish in wishes:
        position, total = places[wish.pk]
        if wish.announced_position is not None and wish.announced_position - position >= step:
            with transaction.atomic():
                tell_guardians(
                    application=wish.application,
                    kind="waitlist_position_improved",
                    key=f"wish:{wish.pk}:position:{position}",
                    context={"facility": wish.facility, "position": position, "total": total},
                )
            announced += 1
        if wish.announced_position is None or wish.announced_position - position >= step:
            wish.announced_position = position
            changed.append(wish)
    Wish.objects.bulk_update(changed, ["announced_position"], batch_size=1000)
    return announced
