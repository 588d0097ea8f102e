"""The safety net under the broker: every minute, hand over what should be moving and is not.

Two cases end up here. A queued row whose task never reached the broker (it was down at
commit time) or was lost with it; the grace period keeps the sweeper from racing the
commit hook or a scheduled retry. And a row still sending after its lease ran out: its
worker died mid-send, so it is queued again, or failed once it has used up its attempts.
Rows are locked with SKIP LOCKED and moved by conditional updates, so two sweepers running
at once hand each row over only once.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.dispatch import enqueue_delivery, forget_broker_failure
from notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    failed: int


def sweep_outbox(*, now: datetime.datetime | None = None) -> SweepResult:
    """Queue delivery again for overdue queued rows and rows whose sender's lease ran out."""
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=Status.QUEUED, next_attempt_at__lte=now - grace)
                | Q(status=Status.SENDING, next_attempt_at__lte=now)
            )
            .order_by("next_attempt_at")
            .values_list("pk", "status", "attempts")[: settings.OUTBOX_SWEEP_BATCH_SIZE]
        )
        max_attempts = settings.OUTBOX_MAX_ATTEMPTS
        exhausted = [
            pk for pk, status, attempts in rows if status == Status.SENDING and attempts >= max_attempts
        ]
        stalled = [
            pk for pk, status, attempts in rows if status == Status.SENDING and attempts < max_attempts
        ]
        overdue = [pk for pk, status, _attempts in rows if status == Status.QUEUED]
        OutboxMessage.objects.filter(pk__in=exhausted, status=Status.SENDING).update(
            status=Status.FAILED,
            last_error=f"Gave up after {max_attempts} attempts: sending was interrupted.",
        )
        # Moving next_attempt_at to now hides the rows from the next sweep for the grace period.
        OutboxMessage.objects.filter(pk__in=stalled, status=Status.SENDING).update(
            status=Status.QUEUED, next_attempt_at=now, last_error="Sending was interrupted; trying again."
        )
        OutboxMessage.objects.filter(pk__in=overdue, status=Status.QUEUED).update(next_attempt_at=now)
        due = stalled + overdue
        transaction.on_commit(lambda: _hand_over(due))
    if rows:
        logger.info("Outbox sweep: %s handed over again, %s failed", len(due), len(exhausted))
    return SweepResult(requeued=len(due), failed=len(exhausted))


def _hand_over(message_ids: list[int]) -> None:
    # The sweeper is the one that tries the broker again after an outage, whatever a request met.
    forget_broker_failure()
    for message_id in message_ids:
        if not enqueue_delivery(message_id):
            break  # the broker is down; the next sweep tries again
