"""Celery tasks for webhooks; registered with the worker through childcare.tasks."""

from celery import shared_task

from childcare.api import webhook_delivery


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    """Post one delivery; a duplicate or redelivered task finds the row taken and does nothing."""
    result = webhook_delivery.deliver(delivery_id=delivery_id)
    if result.retry_at is not None:
        webhook_delivery.enqueue_delivery(delivery_id, eta=result.retry_at)
    return result.outcome


@shared_task(ignore_result=True)
def sweep_webhook_deliveries() -> int:
    """Every minute (beat): hand over deliveries the broker lost and those whose sender died."""
    return webhook_delivery.sweep_deliveries()
