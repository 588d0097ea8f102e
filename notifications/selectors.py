"""What a user sees of their messages in the portal.

A superseded message reported something that had moved on before its e-mail could go out (an
offer withdrawn a moment after it was made): the newer message says what holds. It stays
readable, but out of the default inbox and out of the unread count, so a family never acts on it.
"""

import uuid

from django.db.models import QuerySet

from notifications.models import OutboxMessage

_INBOX_FIELDS = ("public_id", "kind", "subject", "body_text", "status", "created_at", "read_at")

Status = OutboxMessage.Status


def inbox_messages(*, user, with_superseded: bool = False) -> QuerySet[OutboxMessage]:
    """What was written to ``user``, newest first, whether or not the e-mail went out.

    Superseded messages only with ``with_superseded`` (the inbox's "show older versions").
    """
    messages = OutboxMessage.objects.filter(recipient=user)
    if not with_superseded:
        messages = messages.exclude(status=Status.SUPERSEDED)
    return messages.only(*_INBOX_FIELDS).order_by("-created_at", "-pk")


def superseded_count(*, user) -> int:
    return OutboxMessage.objects.filter(recipient=user, status=Status.SUPERSEDED).count()


def inbox_message(*, user, public_id: uuid.UUID) -> OutboxMessage:
    """One of ``user``'s messages; raises DoesNotExist for anyone else's, as for a message that never was."""
    return OutboxMessage.objects.only(*_INBOX_FIELDS, "recipient_id").get(recipient=user, public_id=public_id)


def unread_count(*, user) -> int:
    """Unread messages that still hold: a superseded one never asks for attention."""
    return (
        OutboxMessage.objects.filter(recipient=user, read_at__isnull=True)
        .exclude(status=Status.SUPERSEDED)
        .count()
    )
