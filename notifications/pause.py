"""Pausing all delivery when the mail server fails for every message, and telling operators once.

A wrong SMTP password (535), a broken TLS setup or an unresolvable or refusing host would
fail each message on its own attempt until all were marked failed. Such a fault is not the
message's: delivery as a whole pauses (one database row, shared by all workers), the
message goes back to the queue without using up an attempt, and the pause grows with
every further strike (base, 2 x base ... up to the cap) until a message goes through.
"""

import datetime
import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.utils import timezone

from notifications.models import DeliveryPause

logger = logging.getLogger(__name__)

ROW = 1


@dataclass(frozen=True)
class PauseState:
    paused_until: datetime.datetime
    since: datetime.datetime
    reason: str


def is_server_wide(error: BaseException) -> bool:
    """Faults of the mail set-up that every message would meet, as opposed to one recipient's."""
    if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError | ssl.SSLError):
        return True
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code in (530, 534, 535, 538):
        return True  # authentication required or refused
    return isinstance(error, socket.gaierror | ConnectionRefusedError)


@dataclass(frozen=True)
class DeliveryState:
    pause: PauseState | None  # in force now: deliver nothing until it ends
    fault_on_record: bool  # a pause happened since the last message went through (it may have ended)


def delivery_state(*, now: datetime.datetime | None = None) -> DeliveryState:
    """The pause in force and whether a fault is on record: one indexed read before every delivery.

    Knowing the record lets a delivery end the fault (``delivery_recovered``) only when there is
    one, instead of writing to the shared row after every message.
    """
    now = now or timezone.now()
    row = DeliveryPause.objects.filter(pk=ROW).first()
    if row is None:
        return DeliveryState(pause=None, fault_on_record=False)
    paused = row.paused_until is not None and row.paused_until > now
    return DeliveryState(
        pause=PauseState(row.paused_until, row.since, row.reason) if paused else None,
        fault_on_record=row.strikes > 0,
    )


def current_pause(*, now: datetime.datetime | None = None) -> PauseState | None:
    """The pause in force, if any."""
    return delivery_state(now=now).pause


def pause_length(*, strikes: int) -> datetime.timedelta:
    seconds = settings.OUTBOX_PAUSE_BASE_SECONDS * 2 ** (strikes - 1)
    return datetime.timedelta(seconds=min(seconds, settings.OUTBOX_PAUSE_MAX_SECONDS))


def pause_delivery(*, reason: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """Stop all delivery for a while after a server-wide fault; alert the operators on the first strike."""
    now = now or timezone.now()
    with transaction.atomic():
        DeliveryPause.objects.get_or_create(pk=ROW)
        row = DeliveryPause.objects.select_for_update().get(pk=ROW)
        if row.paused_until is not None and row.paused_until > now:
            return row.paused_until  # another worker met the same fault a moment ago
        row.strikes += 1
        row.paused_until = now + pause_length(strikes=row.strikes)
        row.since = row.since or now
        row.reason = reason
        alert = not row.alerted
        row.alerted = True
        row.save()
    logger.error(
        "E-mail delivery paused until %s (strike %s): %s", row.paused_until.isoformat(), row.strikes, reason
    )
    if alert:
        transaction.on_commit(lambda: _alert_operators(reason=reason, until=row.paused_until))
    return row.paused_until


def delivery_recovered() -> None:
    """A message went through: end the fault, so the next one pauses briefly and alerts again."""
    cleared = DeliveryPause.objects.filter(pk=ROW, strikes__gt=0).update(
        strikes=0, paused_until=None, since=None, alerted=False, reason=""
    )
    if cleared:
        logger.warning("E-mail delivery works again; the pause has ended")


def _alert_operators(*, reason: str, until: datetime.datetime) -> None:
    # The mail server may be what is broken: the ERROR log line above is the alert that always
    # arrives; the e-mail reaches admins when only the portal's own credentials are wrong.
    mail_admins(
        "E-mail delivery paused",
        f"The mail server refuses every message: {reason}\n\n"
        f"Delivery is paused until {until.isoformat()} and retried with growing pauses; no message "
        "is lost or marked failed meanwhile. Check the EMAIL_* settings and the mail server.",
        fail_silently=True,
    )
