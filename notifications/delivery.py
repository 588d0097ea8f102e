"""Sending one outbox message, at most once per claim.

A worker claims a due queued row with a conditional UPDATE (queued → sending), which also
starts a lease that ends at ``next_attempt_at`` (``OUTBOX_SENDING_TIMEOUT_SECONDS``, ~2 min).
The row is marked sent in its own transaction right after the SMTP server accepted the
message and before the task returns, so a task redelivered after its worker died finds the
row sent and does nothing. Only a worker killed between the server's acceptance and that
commit (milliseconds) leaves a row in sending that the sweeper retries once the lease has
run out: the one window in which an e-mail can go out twice. Its stable Message-ID
(``<outbox-{public_id}@domain>``) lets mail clients fold such a copy into the first.
"""

import datetime
import enum
import logging
import smtplib
import time
from dataclasses import dataclass
from email.utils import parseaddr

from django import db
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.db.models import F
from django.utils import timezone

from notifications.attachments import render_attachment
from notifications.kinds import UnknownNotificationKind, get_kind
from notifications.mail_connection import send_email
from notifications.models import OutboxMessage
from notifications.pause import delivery_recovered, delivery_state, is_server_wide, pause_delivery

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

MARK_SENT_ATTEMPTS = 3


class Outcome(enum.Enum):
    SENT = "sent"
    SKIPPED = "skipped"
    RETRY = "retry"
    FAILED = "failed"
    SUPERSEDED = "superseded"
    PAUSED = "paused"


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    retry_at: datetime.datetime | None = None


def claim_message(*, message_id: int, now: datetime.datetime) -> bool:
    """Take a due queued message for sending; False if another run has it, sent it or it is not due."""
    lease_end = now + datetime.timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_end)
    return claimed == 1


def deliver_message(*, message_id: int) -> DeliveryResult:
    """Send a queued message once; temporary errors queue it again with backoff, permanent ones fail it."""
    now = timezone.now()
    state = delivery_state(now=now)
    paused = state.pause
    if paused is not None:
        # Keep the row out of the sweeper's way until the pause ends; the task comes back then.
        OutboxMessage.objects.filter(
            pk=message_id, status=Status.QUEUED, next_attempt_at__lt=paused.paused_until
        ).update(next_attempt_at=paused.paused_until)
        return DeliveryResult(Outcome.PAUSED, retry_at=paused.paused_until)
    if not claim_message(message_id=message_id, now=now):
        return DeliveryResult(Outcome.SKIPPED)
    message = OutboxMessage.objects.select_related("recipient").get(pk=message_id)
    _address_to_current(message)
    try:
        if not still_valid(message):
            return _supersede(message)
        send_email(build_email(message))
    except Exception as error:  # every error is classified and recorded on the row, none is lost
        if is_server_wide(error):
            return _pause_all(message=message, error=error)
        return _record_failure(message=message, error=error)
    _mark_sent(message)
    if state.fault_on_record:
        delivery_recovered()
    return DeliveryResult(Outcome.SENT)


def _mark_sent(message: OutboxMessage) -> None:
    """Record the server's acceptance at once, in one UPDATE that commits on its own (autocommit).

    From the server's "250" to this commit is the only window in which a killed worker makes an
    e-mail go out twice, so nothing else happens in between (not even a BEGIN and COMMIT: one
    statement is its own transaction). A database hiccup right now is retried briefly: giving up
    would leave the row sending until its lease ends and send it again.
    """
    for attempt in range(MARK_SENT_ATTEMPTS):
        try:
            OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
                status=Status.SENT, sent_at=timezone.now(), last_error="", to_email=message.to_email
            )
            return
        except (DatabaseOperationalError, InterfaceError):
            if attempt == MARK_SENT_ATTEMPTS - 1:
                raise
            db.connections.close_all()
            time.sleep(0.2 * (attempt + 1))


def _pause_all(*, message: OutboxMessage, error: Exception) -> DeliveryResult:
    """The fault is the mail set-up's, not this message's: queue it again without using an attempt."""
    description = describe_error(error)[:2000]
    until = pause_delivery(reason=description)
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.QUEUED,
        attempts=F("attempts") - 1,
        next_attempt_at=until,
        last_error=f"Delivery paused: {description}",
    )
    return DeliveryResult(Outcome.PAUSED, retry_at=until)


def _address_to_current(message: OutboxMessage) -> None:
    """A user is written to at the account's address of now, not of when the message was written.

    The row then records where the e-mail actually went, so a resend after the family corrected
    a mistyped address reaches them, and the office sees which address was tried.
    """
    if (
        message.recipient is None
        or not message.recipient.email
        or message.recipient.email == message.to_email
    ):
        return
    message.to_email = message.recipient.email
    OutboxMessage.objects.filter(pk=message.pk).update(to_email=message.to_email)


def still_valid(message: OutboxMessage) -> bool:
    """Whether what the message reports still holds; an unknown kind (code removed since) does not block."""
    try:
        kind = get_kind(message.kind)
    except UnknownNotificationKind:
        return True
    return kind.holds(message.about)


SUPERSEDED_NOTE = "Not sent: what it reported had changed before it could go out."


def _supersede(message: OutboxMessage) -> DeliveryResult:
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.SUPERSEDED, last_error=SUPERSEDED_NOTE
    )
    logger.info("Outbox message %s (%s) superseded before sending", message.pk, message.kind)
    return DeliveryResult(Outcome.SUPERSEDED)


def supersede_stale_waiting(*, recipient) -> int:
    """Mark the recipient's waiting messages whose subject has moved on as superseded, as sending would.

    The inbox asks before it lists them: while delivery waits (a pause, a broker or worker
    outage), a family must not read an offer that was withdrawn meanwhile as if it still held.
    Only rows still queued change (a claimed row is the worker's); one query when none waits.
    """
    waiting = OutboxMessage.objects.filter(recipient=recipient, status=Status.QUEUED)
    waiting = waiting.only("pk", "kind", "about")
    stale = [message.pk for message in waiting if not still_valid(message)]
    if not stale:
        return 0
    return OutboxMessage.objects.filter(pk__in=stale, status=Status.QUEUED).update(
        status=Status.SUPERSEDED, last_error=SUPERSEDED_NOTE
    )


def build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    sender_domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "kita-portal.invalid"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={
            # The same Message-ID on every attempt lets mail clients fold a rare duplicate into one.
            "Message-ID": message_id_header(message, sender_domain),
            "Auto-Submitted": "auto-generated",
            "Content-Language": message.language,
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for spec in message.attachments:
        email.attach(*render_attachment(spec, language=message.language))
    return email


def message_id_header(message: OutboxMessage, domain: str) -> str:
    """Stable per row, so a receiver (and a human) can tell a rare second copy from a new message."""
    return f"<outbox-{message.public_id}@{domain}>"


def is_temporary(error: BaseException) -> bool:
    """SMTP 4xx and network or database trouble may pass; 5xx, unknown attachments and bugs will not."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError | DatabaseOperationalError | InterfaceError)


def describe_error(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        answer = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else error.smtp_error
        )
        return f"{type(error).__name__}: {error.smtp_code} {answer}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(
            f"{address}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for address, (code, text) in error.recipients.items()
        )
        return f"{type(error).__name__}: {answers}"
    return f"{type(error).__name__}: {error}"


def retry_delay(*, attempts: int) -> datetime.timedelta:
    """Exponential backoff: base, 2 × base, 4 × base … after the 1st, 2nd, 3rd failed attempt, capped."""
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    return datetime.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _record_failure(*, message: OutboxMessage, error: Exception) -> DeliveryResult:
    description = describe_error(error)[:2000]
    sending = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING)
    temporary = is_temporary(error)
    if temporary and message.attempts < settings.OUTBOX_MAX_ATTEMPTS:
        retry_at = timezone.now() + retry_delay(attempts=message.attempts)
        sending.update(status=Status.QUEUED, next_attempt_at=retry_at, last_error=description)
        logger.warning("Outbox message %s: attempt %s failed (%s)", message.pk, message.attempts, description)
        return DeliveryResult(Outcome.RETRY, retry_at=retry_at)
    if temporary:
        description = f"Gave up after {message.attempts} attempts. {description}"
    sending.update(status=Status.FAILED, last_error=description)
    # A failure that is not an SMTP answer is probably a bug: keep its traceback in the log.
    is_smtp_answer = isinstance(error, smtplib.SMTPException | OSError)
    logger.error(
        "Outbox message %s failed: %s", message.pk, description, exc_info=None if is_smtp_answer else error
    )
    return DeliveryResult(Outcome.FAILED)
