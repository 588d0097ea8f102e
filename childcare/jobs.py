"""Background jobs: long work started from a page, done by a Celery worker, followed on a progress page.

The job row is the record: the page reads it (so a reload shows the truth), the worker
writes its progress in the same transaction as the work it counts, and a failed or stalled
job is resumed by queueing its task again, which is safe because every job's work is idempotent.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from childcare import permissions
from childcare.errors import DomainError
from childcare.models import AllocationRound, BackgroundJob

logger = logging.getLogger(__name__)

Kind = BackgroundJob.Kind
Status = BackgroundJob.Status


def create_job(
    *, kind: str, by, total: int = 0, allocation_round: AllocationRound | None = None
) -> BackgroundJob:
    """Write the job in the caller's transaction; its task is queued only once that commits."""
    job = BackgroundJob.objects.create(
        kind=kind,
        total=total,
        allocation_round=allocation_round,
        requested_by=by if getattr(by, "is_authenticated", False) else None,
    )
    transaction.on_commit(lambda: queue_task(job_id=job.pk, kind=kind))
    return job


def queue_task(*, job_id: int, kind: str) -> bool:
    """Hand the job to the broker; when it is down the job stays queued and can be resumed later."""
    # Imported here: the task module imports the services that create jobs.
    from childcare import tasks

    task = {Kind.ROUND_PUBLISH: tasks.publish_round, Kind.POLICY_RESCORING: tasks.rescore_wishes}[kind]
    try:
        task.delay(job_id)
    except (OperationalError, OSError):
        logger.warning("Broker unreachable: background job %s stays queued", job_id, exc_info=True)
        return False
    return True


def resume_job(*, job: BackgroundJob, by) -> BackgroundJob:
    """Queue a failed or stalled job again; it continues where its committed progress ends."""
    if not permissions.is_municipal_office(by):
        raise DomainError(_("Only the municipal office runs background jobs."))
    with transaction.atomic():
        job = BackgroundJob.objects.select_for_update(of=("self",)).get(pk=job.pk)
        if not job.can_resume:
            raise DomainError(_("This job is still running or has finished; there is nothing to resume."))
        job.status, job.error, job.progressed_at = Status.QUEUED, "", timezone.now()
        job.save(update_fields=["status", "error", "progressed_at"])
        transaction.on_commit(lambda: queue_task(job_id=job.pk, kind=job.kind))
    return job


def run_job(*, job_id: int, work: Callable[[BackgroundJob], dict]) -> None:
    """Run ``work`` for a job and record how it ended; a finished job is not run again.

    ``work`` returns the outcome shown on the progress page. A failure is recorded with its
    error for the page and raised again for the worker's log.
    """
    job = BackgroundJob.objects.get(pk=job_id)
    if job.status == Status.DONE:
        return
    now = timezone.now()
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, started_at=Coalesce(F("started_at"), now), progressed_at=now, error=""
    )
    try:
        outcome = work(job)
    except Exception as error:
        message = error.message if isinstance(error, DomainError) else f"{type(error).__name__}: {error}"
        BackgroundJob.objects.filter(pk=job.pk).update(
            status=Status.FAILED, error=str(message)[:2000], progressed_at=timezone.now()
        )
        raise
    now = timezone.now()
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=Status.DONE, outcome=outcome, finished_at=now, progressed_at=now
    )


def record_progress(*, job: BackgroundJob, done: int, outcome: dict | None = None) -> None:
    """Store how far the job got; call it inside the transaction of the work it counts."""
    changes = {"done": done, "progressed_at": timezone.now()}
    if outcome is not None:
        changes["outcome"] = outcome
    BackgroundJob.objects.filter(pk=job.pk).update(**changes)
