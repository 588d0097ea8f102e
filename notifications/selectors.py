"""What a user sees of their messages in the portal.

A superseded message reported something that had moved on before its e-mail could go out (an
offer withdrawn a moment after it was made): the newer message says what holds. It stays
readable, but out of the default inbox and out of the unread count, so a family never acts on it.
"""

import contextlib
import uuid

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

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


def _unread(messages: QuerySet) -> QuerySet:
    """Unread messages that still hold: a superseded one never asks for attention."""
    return messages.filter(read_at__isnull=True).exclude(status=Status.SUPERSEDED)


def unread_count(*, user) -> int:
    # The signed-in user usually comes with the count read along (portal.auth_backends).
    snapshot = getattr(user, UNREAD_SNAPSHOT, None)
    if snapshot is not None:
        return snapshot
    return _unread(OutboxMessage.objects.filter(recipient=user)).count()


# The attribute a user read with ``with_unread_count`` carries its count in.
UNREAD_SNAPSHOT = "unread_messages"


def with_unread_count(users: QuerySet) -> QuerySet:
    """``users``, each with its unread count read along in the same query."""
    count = (
        _unread(OutboxMessage.objects.filter(recipient=OuterRef("pk")))
        .order_by()
        .values("recipient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return users.annotate(**{UNREAD_SNAPSHOT: Coalesce(Subquery(count), 0)})


def forget_unread_count(user) -> None:
    """After this request changed what is unread: count anew when the page shows it."""
    with contextlib.suppress(AttributeError):
        delattr(user, UNREAD_SNAPSHOT)
