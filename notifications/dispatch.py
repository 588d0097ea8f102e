"""Handing outbox messages to the broker.

The database row, not the broker message, is the record of what must be sent: when the
broker cannot take a message it stays queued and the sweeper hands it over again, so a
broker outage delays e-mail but never fails the request or task that wrote it.
"""

import datetime
import logging

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_delivery(message_id: int, *, eta: datetime.datetime | None = None) -> bool:
    """Queue the delivery task for one message; False (and a warning) if the broker is unreachable."""
    # Imported here because the task module imports the delivery service, which imports this one.
    from notifications.tasks import deliver_outbox_message

    try:
        deliver_outbox_message.apply_async(args=[message_id], eta=eta)
    except (OperationalError, OSError):
        logger.warning(
            "Broker unreachable: outbox message %s stays queued for the sweeper", message_id, exc_info=True
        )
        return False
    return True
