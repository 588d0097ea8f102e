"""What a user sees of their messages in the portal."""

import uuid

from django.db.models import QuerySet

from notifications.models import OutboxMessage

_INBOX_FIELDS = ("public_id", "kind", "subject", "body_text", "status", "created_at", "read_at")


def inbox_messages(*, user) -> QuerySet[OutboxMessage]:
    """Everything written to ``user``, newest first, whether or not the e-mail went out."""
    return OutboxMessage.objects.filter(recipient=user).only(*_INBOX_FIELDS).order_by("-created_at", "-pk")


def inbox_message(*, user, public_id: uuid.UUID) -> OutboxMessage:
    """One of ``user``'s messages; raises DoesNotExist for anyone else's, as for a message that never was."""
    return OutboxMessage.objects.only(*_INBOX_FIELDS, "recipient_id").get(recipient=user, public_id=public_id)


def unread_count(*, user) -> int:
    return OutboxMessage.objects.filter(recipient=user, read_at__isnull=True).count()
