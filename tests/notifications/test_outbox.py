import pytest
from django.core import mail
from django.db import transaction

from notifications.models import OutboxMessage
from notifications.services import deliver_message, queue_email

pytestmark = pytest.mark.django_db(transaction=True)


def test_message_is_sent_after_commit_and_marked_sent(parent):
    with transaction.atomic():
        message = queue_email(
            recipient=parent,
            kind="test",
            subject="Betreff",
            body_text="Text",
            dedupe_key="k:1",
            body_html="<p>Text</p>",
        )
        assert mail.outbox == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert [m.to for m in mail.outbox] == [[parent.email]]
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_same_dedupe_key_writes_and_sends_once(parent):
    for _ in range(2):
        with transaction.atomic():
            queue_email(recipient=parent, kind="test", subject="S", body_text="T", dedupe_key="k:dup")
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_second_delivery_run_is_a_no_op(parent):
    with transaction.atomic():
        message = queue_email(recipient=parent, kind="test", subject="S", body_text="T", dedupe_key="k:2")
    assert deliver_message(message_id=message.pk) is False
    assert len(mail.outbox) == 1


def test_failed_send_returns_message_to_queue_with_error(parent, settings, monkeypatch):
    message = OutboxMessage.objects.create(
        recipient=parent,
        to_email=parent.email,
        kind="test",
        language="de",
        subject="S",
        body_text="T",
        dedupe_key="k:3",
    )

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert "mail server down" in message.last_error
    assert message.next_attempt_at > message.created_at
