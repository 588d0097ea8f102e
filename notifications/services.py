"""Writing and delivering outbox messages.

A message is written in the same transaction as the change it reports and its
delivery task is queued only after that transaction commits, so a rolled-back
change sends nothing and a committed one is never lost.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications.models import OutboxMessage

MAX_BACKOFF = datetime.timedelta(hours=1)


def queue_email(
    *, recipient, kind: str, subject: str, body_text: str, dedupe_key: str, body_html: str = ""
) -> OutboxMessage:
    """Write one message for ``recipient``; writing the same ``dedupe_key`` again changes nothing."""
    message, created = OutboxMessage.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "recipient": recipient,
            "to_email": recipient.email,
            "kind": kind,
            "language": recipient.language,
            "subject": subject,
            "body_text": body_text,
            "body_html": body_html,
        },
    )
    if created:
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int) -> None:
    from notifications.tasks import deliver_outbox_message

    deliver_outbox_message.delay(message_id)


def claim_message(*, message_id: int) -> bool:
    """Move a queued message to sending; False if another run already claimed or sent it."""
    claimed = OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.QUEUED).update(
        status=OutboxMessage.Status.SENDING, attempts=F("attempts") + 1
    )
    return claimed == 1


def deliver_message(*, message_id: int) -> bool:
    """Send a queued message once; returns whether this call sent it."""
    if not claim_message(message_id=message_id):
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        email.send()
    except Exception as error:
        backoff = min(datetime.timedelta(minutes=2**message.attempts), MAX_BACKOFF)
        OutboxMessage.objects.filter(pk=message_id).update(
            status=OutboxMessage.Status.QUEUED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=timezone.now() + backoff,
        )
        raise
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True
