"""Services tier: a committed outbox message travels through Redis and a real worker to real SMTP."""

import email

import pytest
from django.db import transaction

from notifications.models import OutboxMessage
from notifications.services import queue_email
from tests.factories import UserFactory
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.services


def test_committed_message_is_delivered_once_over_smtp(celery_worker, smtp_server):
    user = UserFactory(email="mutter@example.org", language="de")
    with transaction.atomic():
        message = queue_email(
            recipient=user,
            kind="test",
            subject="Ihr Antrag ist eingegangen",
            body_text="Guten Tag, Ihr Antrag KP-TEST0001 ist eingegangen.",
            dedupe_key="test:1:submitted",
        )
    assert wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.SENT)
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["mutter@example.org"]
    parsed = email.message_from_bytes(envelope.original_content)
    assert "Ihr Antrag ist eingegangen" in str(
        email.header.make_header(email.header.decode_header(parsed["Subject"]))
    )


def test_rolled_back_change_sends_nothing(celery_worker, smtp_server):
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(recipient=user, kind="test", subject="never", body_text="never", dedupe_key="test:2")
        raise RuntimeError("the state change failed")
    assert not OutboxMessage.objects.exists()
    assert not wait_for(lambda: smtp_server.messages, timeout=2)
