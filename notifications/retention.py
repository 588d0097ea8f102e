"""Old messages go after the retention period the portal's settings name: their texts name children."""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from notifications.models import OutboxMessage
from portal.models import PortalSettings

Status = OutboxMessage.Status


def purge_old_messages(*, now: datetime.datetime | None = None) -> int:
    """Delete sent or failed messages older than the retention period; queued ones still have to go out."""
    now = now or timezone.now()
    cutoff = now - relativedelta(months=PortalSettings.load().retention_months)
    deleted, _ = OutboxMessage.objects.filter(
        status__in=(Status.SENT, Status.FAILED, Status.SUPERSEDED), created_at__lt=cutoff
    ).delete()
    return deleted
