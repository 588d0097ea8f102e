"""Handing outbox messages to the broker.

The database row, not the broker message, is the record of what must be sent: when the
broker cannot take a message it stays queued and the sweeper hands it over again, so a
broker outage delays e-mail but never fails the request or task that wrote it.

Nor does an outage slow requests down: each hand-over is a single attempt (``retry=False``),
and after a failed one this process stops trying for ``OUTBOX_BROKER_RETRY_SECONDS``, so the
rest of a request's commit callbacks (one per message written) return at once instead of each
waiting for the broker in turn. The sweeper, which runs every minute, hands those rows over.
"""

import datetime
import logging
import time

from django.conf import settings
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# time.monotonic() until which the broker counts as down in this process; 0 while it works.
_down_until = 0.0


def broker_seems_down() -> bool:
    return time.monotonic() < _down_until


def forget_broker_failure() -> None:
    global _down_until
    _down_until = 0.0


def enqueue_delivery(message_id: int, *, eta: datetime.datetime | None = None) -> bool:
    """Queue the delivery task for one message; False (and a warning) if the broker is unreachable."""
    global _down_until
    # Imported here because the task module imports the delivery service, which imports this one.
    from notifications.tasks import deliver_outbox_message

    if broker_seems_down():
        return False  # a hand-over failed a moment ago: leave this row to the sweeper too
    try:
        deliver_outbox_message.apply_async(args=[message_id], eta=eta, retry=False)
    except (OperationalError, OSError):
        _down_until = time.monotonic() + settings.OUTBOX_BROKER_RETRY_SECONDS
        logger.warning(
            "Broker unreachable: outbox message %s stays queued for the sweeper; no further hand-over "
            "for %s s",
            message_id,
            settings.OUTBOX_BROKER_RETRY_SECONDS,
            exc_info=True,
        )
        return False
    return True
