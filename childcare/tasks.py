"""Celery beat jobs of the childcare domain; each calls one idempotent service."""

from celery import shared_task
from django.utils import timezone

from childcare import jobs
from childcare.admissions import digests, messages, points, reminders, rescoring, retention
from childcare.allocation import planning, publishing
from childcare.api import webhook_tasks  # noqa: F401  (registers the webhook tasks with the worker)
from childcare.facilities import availability
from portal import audit
from portal.models import PortalSettings


@shared_task
def expire_due_offers() -> int:
    return reminders.expire_due_offers()


@shared_task
def send_offer_reminders() -> int:
    return reminders.send_offer_reminders()


@shared_task
def request_reconfirmations() -> int:
    return reminders.request_reconfirmations()


@shared_task
def expire_unconfirmed_applications() -> int:
    return reminders.expire_unconfirmed_applications()


@shared_task
def refresh_points() -> int:
    """Months waited and age at start change with time; keep the stored order at most a day old."""
    return points.recompute_points()


@shared_task
def refresh_planning_overview() -> None:
    """Renew the office's planning figures before they expire, so no page request computes them."""
    planning.refresh_planning_overview(portal=PortalSettings.load(), today=timezone.localdate())


@shared_task
def rebuild_availability() -> int:
    """The stored free places start at the day they were written; start them at the new day."""
    return availability.rebuild_availability()


@shared_task
def send_staff_digests() -> int:
    return digests.send_staff_digests()


@shared_task
def announce_position_improvements() -> int:
    return digests.announce_position_improvements()


@shared_task
def apply_data_retention() -> dict[str, int]:
    return {
        "children_anonymised": retention.anonymise_closed_records(),
        "orphaned_proof_files_removed": retention.remove_orphaned_proof_files(),
        "audit_entries_purged": audit.purge_expired(),
    }


@shared_task(ignore_result=True)
def hand_over_messages(message_ids: list[int]) -> None:
    """Queue the delivery of outbox messages written together (a batch of a round), one task each."""
    messages.hand_over(message_ids)


# Long work started from a page: each task takes its job's id and runs a service for it.


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def publish_round(job_id: int) -> None:
    """Publish an allocation round in batches; run again (redelivery, resume) it continues."""
    jobs.run_job(job_id=job_id, work=publishing.publish_in_batches)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def rescore_wishes(job_id: int) -> None:
    """Recompute every listed wish's points after a policy change."""
    jobs.run_job(job_id=job_id, work=rescoring.rescore_for_job)
