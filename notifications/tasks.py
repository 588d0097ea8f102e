from celery import shared_task

from notifications import services


@shared_task(acks_late=True)
def deliver_outbox_message(message_id: int) -> bool:
    """Deliver one outbox message; running it twice sends at most once."""
    return services.deliver_message(message_id=message_id)
