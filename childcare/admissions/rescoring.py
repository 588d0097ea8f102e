"""Re-scoring every listed wish after the priority policy changed, as a background job.

Saving the policy only queues the job; the worker recomputes points in bounded batches
and records its progress after each one. Running it twice is harmless: it rescores again.
"""

from django.db.models import F

from childcare import jobs
from childcare.admissions import points
from childcare.models import LISTED_WISH_STATUSES, BackgroundJob, Wish


def start_rescoring(*, by) -> BackgroundJob:
    """Queue a re-scoring of every listed wish once the caller's transaction (the policy save) commits."""
    return jobs.create_job(kind=BackgroundJob.Kind.POLICY_RESCORING, by=by)


def rescore_for_job(job: BackgroundJob) -> dict:
    """The task's work: recompute all listed wishes from the start, counting the batches done."""
    total = Wish.objects.filter(status__in=LISTED_WISH_STATUSES).count()
    BackgroundJob.objects.filter(pk=job.pk).update(total=total, done=0)

    def count(size: int) -> None:
        BackgroundJob.objects.filter(pk=job.pk).update(done=F("done") + size)

    changed = points.recompute_points(on_batch=count)
    return {"rescored": total, "changed": changed}
