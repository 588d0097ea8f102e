"""Data retention: closed records lose their personal data after the configured period.

Statistics survive (dates, age bands, facilities, statuses); names, notes and uploaded
proofs do not. Old messages are notifications' to purge (``notifications.retention``).
Proof files that no row refers to any more are removed as well.
"""

import datetime
from collections.abc import Iterator

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from childcare.admissions.proofs import delete_files_on_commit
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
# Where proofs are stored (ApplicationDocument.file's upload_to); nothing else lives below it.
PROOFS_FOLDER = "documents"
# An upload is written to storage before its row commits; a day old, a file without a row is an orphan.
ORPHAN_MIN_AGE = datetime.timedelta(days=1)


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
            anonymise_child(child)
            count += 1
    return count


def anonymise_child(child: Child) -> None:
    """Names, notes, sensitive answers and proofs go; dates, bands and statuses stay (call in a transaction).

    Used by the retention run and when a family deletes their account (portal.privacy).
    """
    proofs = ApplicationDocument.objects.filter(application__child=child)
    delete_files_on_commit(list(proofs.values_list("file", flat=True)))
    proofs.delete()
    ApplicationEvent.objects.filter(application__child=child).update(note="")
    Application.objects.filter(child=child).update(single_parent=False, hardship_referral=False)
    child.first_name = child.last_name = ANONYMOUS
    child.needs_notes = child.home_languages = ""
    child.save(update_fields=["first_name", "last_name", "needs_notes", "home_languages"])
    child.invitations.all().delete()


def remove_orphaned_proof_files(*, now: datetime.datetime | None = None) -> int:
    """Delete stored proof files older than a day that no document row refers to; returns how many.

    They are left by a deletion that failed after its commit or an upload whose transaction
    rolled back. Files younger than a day are kept: their upload may still be committing.
    """
    now = now or timezone.now()
    storage = ApplicationDocument._meta.get_field("file").storage
    # Read before listing: a row committed meanwhile belongs to a file too young to be removed.
    referenced = set(ApplicationDocument.objects.values_list("file", flat=True).iterator())
    removed = 0
    for name in _stored_files(storage, PROOFS_FOLDER):
        if name not in referenced and storage.get_modified_time(name) <= now - ORPHAN_MIN_AGE:
            storage.delete(name)
            removed += 1
    return removed


def _stored_files(storage, folder: str) -> Iterator[str]:
    if not storage.exists(folder):
        return
    directories, files = storage.listdir(folder)
    for file in files:
        yield f"{folder}/{file}"
    for directory in directories:
        yield from _stored_files(storage, f"{folder}/{directory}")
