"""Messages to the people an application concerns, written in the changing transaction."""

from django.conf import settings
from django.db import transaction

from childcare.models import Application, Facility
from notifications.dispatch import enqueue_delivery
from notifications.models import OutboxMessage
from notifications.services import build_message, notify

# Rows per INSERT when many messages are written at once (a round): bounded statements.
MESSAGE_INSERT_BATCH = 1000


def link(path: str = "/") -> str:
    return f"{settings.SITE_URL}{path}"


def _guardian_context(application: Application, context: dict) -> dict:
    return {"application": application, "child": application.child, "link": link(), **context}


def _guardian_key(key: str, guardian) -> str:
    return f"{key}:user:{guardian.pk}"


def tell_guardians(*, application: Application, kind: str, key: str, context: dict, attachments=()) -> None:
    """One message per guardian of the child; ``key`` makes each message unique per event."""
    for guardian in application.child.guardians.all():
        notify(
            recipient=guardian,
            kind=kind,
            dedupe_key=_guardian_key(key, guardian),
            context=_guardian_context(application, context),
            attachments=attachments,
        )


def guardian_messages(
    *, application: Application, kind: str, key: str, context: dict, portal_settings
) -> list[OutboxMessage]:
    """The unsaved rows ``tell_guardians`` would write, for writing many families' at once.

    Prefetch ``child__guardians``; with ``portal_settings`` passed this runs no query.
    """
    messages = (
        build_message(
            recipient=guardian,
            kind=kind,
            dedupe_key=_guardian_key(key, guardian),
            context=_guardian_context(application, context),
            portal_settings=portal_settings,
        )
        for guardian in application.child.guardians.all()
    )
    return [message for message in messages if message is not None]


def queue_messages(messages: list[OutboxMessage]) -> None:
    """Write built messages in the caller's transaction, a few INSERTs for all; each is sent after commit.

    A dedupe key that exists already fails the transaction: callers write each message once
    (e.g. a round's batches commit their messages together with their progress).
    """
    if not messages:
        return
    saved = OutboxMessage.objects.bulk_create(messages, batch_size=MESSAGE_INSERT_BATCH)
    message_ids = [message.pk for message in saved]
    transaction.on_commit(lambda: _hand_over(message_ids))


def _hand_over(message_ids: list[int]) -> None:
    for message_id in message_ids:
        if not enqueue_delivery(message_id):
            break  # the broker is down: the outbox sweeper hands the rest over later


def tell_facility_staff(*, facility: Facility, kind: str, key: str, context: dict) -> None:
    for membership in facility.staff_memberships.select_related("user"):
        notify(
            recipient=membership.user,
            kind=kind,
            dedupe_key=f"{key}:user:{membership.user_id}",
            context={"facility": facility, "link": link(), **context},
        )
