"""Writing outbox messages and changing their read state.

A message is written in the same transaction as the change it reports and its delivery
task is queued only after that transaction commits, so a rolled-back change sends nothing
and a committed one is never lost (see ``dispatch`` and ``sweeper``).
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from notifications.attachments import validate_attachment_spec
from notifications.dispatch import enqueue_delivery
from notifications.kinds import get_kind
from notifications.models import OutboxMessage
from notifications.preferences import email_enabled
from notifications.rendering import render_message
from portal.models import PortalSettings

Status = OutboxMessage.Status


def notify(
    *,
    recipient=None,
    kind: str,
    dedupe_key: str,
    context: dict,
    attachments: Sequence[dict] = (),
    to_email: str = "",
    language: str = "",
    about: dict | None = None,
) -> OutboxMessage | None:
    """Write one message of ``kind`` in the caller's transaction, sent after commit.

    It goes to ``recipient`` (a user, who also finds it in the inbox) or, for a person without
    an account, to ``to_email`` in ``language`` (e-mail only). The same ``dedupe_key`` again
    returns the existing message and writes nothing. An optional kind the user switched
    off writes nothing and returns None; transactional kinds always go out. ``context`` must
    hold the names the kind declares; ``attachments`` are ``{"kind": ..., "object_id": ...}``
    entries rendered at send time. ``about`` names what the message reports on (see
    ``NotificationKind.still_valid``).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must run inside the transaction of the change it reports")
    existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    message = build_message(
        recipient=recipient,
        to_email=to_email,
        language=language,
        kind=kind,
        dedupe_key=dedupe_key,
        context=context,
        attachments=attachments,
        about=about,
    )
    return None if message is None else _save_and_enqueue(message)


def build_message(
    *,
    recipient=None,
    kind: str,
    dedupe_key: str,
    context: dict,
    attachments: Sequence[dict] = (),
    to_email: str = "",
    language: str = "",
    portal_settings: PortalSettings | None = None,
    about: dict | None = None,
) -> OutboxMessage | None:
    """The unsaved outbox row ``notify()`` would write, rendered now; None if the recipient opted out.

    For writing many messages at once (``bulk_create``) without a query per message: pass the
    loaded ``portal_settings``. The attachment list may be completed before saving, e.g. with
    the id of an object created after rendering; documents are rendered at send time.
    """
    _check_addressee(recipient=recipient, to_email=to_email, language=language)
    notification_kind = get_kind(kind)
    for spec in attachments:
        validate_attachment_spec(spec)
    if recipient is not None and not email_enabled(user=recipient, kind=notification_kind):
        return None
    rendered = render_message(
        kind=notification_kind,
        recipient=recipient,
        language=language,
        context=context,
        portal_settings=portal_settings,
    )
    return OutboxMessage(
        recipient=recipient,
        to_email=recipient.email if recipient is not None else to_email,
        kind=kind,
        language=rendered.language,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        dedupe_key=dedupe_key,
        attachments=list(attachments),
        about=dict(about or {}),
    )


def queue_email(
    *,
    recipient,
    kind: str,
    subject: str,
    body_text: str,
    dedupe_key: str,
    body_html: str = "",
    language: str = "",
    attachments: Sequence[dict] = (),
    to_email: str = "",
) -> OutboxMessage:
    """Write one already rendered message; writing the same ``dedupe_key`` again changes nothing."""
    _check_addressee(recipient=recipient, to_email=to_email, language=language)
    return _save_and_enqueue(
        OutboxMessage(
            recipient=recipient,
            to_email=recipient.email if recipient is not None else to_email,
            kind=kind,
            language=language or recipient.language,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            dedupe_key=dedupe_key,
            attachments=list(attachments),
        )
    )


_ROW_FIELDS = (
    "recipient",
    "to_email",
    "kind",
    "language",
    "subject",
    "body_text",
    "body_html",
    "attachments",
    "about",
)


def _save_and_enqueue(message: OutboxMessage) -> OutboxMessage:
    saved, created = OutboxMessage.objects.get_or_create(
        dedupe_key=message.dedupe_key,
        defaults={field: getattr(message, field) for field in _ROW_FIELDS},
    )
    if created:
        transaction.on_commit(lambda: enqueue_delivery(saved.pk))
    return saved


def _check_addressee(*, recipient, to_email: str, language: str) -> None:
    # A user's address and language come from the account; a person without one needs both given.
    if recipient is not None and to_email:
        raise ValueError("A message goes to a user or to an address, not both")
    if recipient is None and not (to_email and language):
        raise ValueError("A message without a recipient user needs to_email and language")


def mark_read(*, message: OutboxMessage) -> None:
    if message.read_at is None:
        message.read_at = timezone.now()
        OutboxMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)


def mark_all_read(*, user) -> int:
    return OutboxMessage.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def retry_failed_messages(*, message_ids: Sequence[int]) -> int:
    """Give failed messages a fresh set of attempts, e.g. after fixing the mail server's configuration."""
    retried = list(
        OutboxMessage.objects.select_for_update()
        .filter(pk__in=message_ids, status=Status.FAILED)
        .values_list("pk", flat=True)
    )
    OutboxMessage.objects.filter(pk__in=retried).update(
        status=Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
    )
    for message_id in retried:
        transaction.on_commit(lambda message_id=message_id: enqueue_delivery(message_id))
    return len(retried)
