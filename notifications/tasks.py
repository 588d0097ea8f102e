import contextlib

from celery import shared_task
from django import db

from notifications import delivery, retention, sweeper
from notifications.dispatch import enqueue_delivery


@contextlib.contextmanager
def _reconnect_after_database_errors():
    # Workers keep their database connection across tasks (CELERY_DB_REUSE_MAX); one that died with
    # a database restart would fail every following task, so drop it and let the next task connect.
    try:
        yield
    except (db.OperationalError, db.InterfaceError):
        db.connections.close_all()
        raise


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_outbox_message(message_id: int) -> str:
    """Deliver one outbox message; a redelivered or duplicate task finds the row taken and does nothing."""
    with _reconnect_after_database_errors():
        result = delivery.deliver_message(message_id=message_id)
    if result.retry_at is not None:
        enqueue_delivery(message_id, eta=result.retry_at)
    return result.outcome.value


@shared_task(ignore_result=True)
def sweep_outbox() -> None:
    """Every minute (beat): hand over rows the broker lost and rows whose sender died."""
    with _reconnect_after_database_errors():
        sweeper.sweep_outbox()


@shared_task(ignore_result=True)
def purge_old_messages() -> int:
    """Nightly (beat): delete sent and failed messages older than the retention period."""
    with _reconnect_after_database_errors():
        return retention.purge_old_messages()
