"""Data retention: closed records lose their personal data after the configured period.

Statistics survive (dates, age bands, facilities, statuses); names, notes and uploaded
proofs do not. Old messages are notifications' to purge (``notifications.retention``).
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from childcare.models import (
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Child,
    Placement,
    PlacementStatus,
)
from portal.models import PortalSettings

ANONYMOUS = "–"


def anonymise_closed_records(*, now: datetime.datetime | None = None) -> int:
    """Anonymise children whose every application ended before the cut-off and who hold no place now.

    Returns the number of children anonymised; running it again changes nothing.
    """
    now = now or timezone.now()
    cutoff = now - relativedelta(months=PortalSettings.load().retention_months)
    recent_or_open = Application.objects.filter(child=OuterRef("pk")).filter(
        Q(status__in=OPEN_APPLICATION_STATUSES) | Q(updated_at__gt=cutoff)
    )
    current_place = Placement.objects.filter(child=OuterRef("pk"), status=PlacementStatus.ACTIVE).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=cutoff.date())
    )
    children = Child.objects.exclude(first_name=ANONYMOUS).filter(
        ~Exists(recent_or_open), ~Exists(current_place), created_at__lt=cutoff
    )
    count = 0
    for child in children:
        with transaction.atomic():
            for document in ApplicationDocument.objects.filter(application__child=child):
                document.file.delete(save=False)
                document.delete()
            ApplicationEvent.objects.filter(application__child=child).update(note="")
            Application.objects.filter(child=child).update(single_parent=False, hardship_referral=False)
            child.first_name = child.last_name = ANONYMOUS
            child.needs_notes = child.home_languages = ""
            child.save(update_fields=["first_name", "last_name", "needs_notes", "home_languages"])
            child.invitations.all().delete()
            count += 1
    return count
