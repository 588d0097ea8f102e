from celery import shared_task
from django.utils import timezone

from portal.models import WorkerHeartbeat


@shared_task(ignore_result=True)
def record_heartbeat() -> None:
    """Every 30 s (beat): tell /health/ that beat, broker and a worker are alive."""
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"beat_at": timezone.now()})
