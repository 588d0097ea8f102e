"""A user is written to at the account's address of the moment the e-mail goes out."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction

from notifications.delivery import Outcome, deliver_message
from notifications.models import OutboxMessage
from notifications.services import notify, retry_failed_messages

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


@pytest.fixture
def mistyped(parent, case):
    parent.email = "parent@exmaple.org"
    parent.save(update_fields=["email"])
    with transaction.atomic():
        return notify(recipient=parent, kind="application_edited", dedupe_key="edit:1", context=case)


def test_a_resend_after_the_address_was_corrected_goes_to_the_new_address(mistyped, parent, monkeypatch):
    def refuse(backend, messages):
        raise smtplib.SMTPRecipientsRefused({"parent@exmaple.org": (550, b"No such domain")})

    with monkeypatch.context() as patch:
        patch.setattr(locmem.EmailBackend, "send_messages", refuse)
        assert deliver_message(message_id=mistyped.pk).outcome is Outcome.FAILED
    mistyped.refresh_from_db()
    assert (mistyped.status, mistyped.to_email) == (Status.FAILED, "parent@exmaple.org")

    parent.email = "parent@example.org"
    parent.save(update_fields=["email"])
    assert retry_failed_messages(message_ids=[mistyped.pk]) == 1
    assert deliver_message(message_id=mistyped.pk).outcome is Outcome.SENT

    (email,) = mail.outbox
    assert email.to == ["parent@example.org"]
    mistyped.refresh_from_db()
    assert (mistyped.status, mistyped.to_email) == (Status.SENT, "parent@example.org")


def test_an_address_changed_while_queued_is_used_at_send_time(mistyped, parent):
    parent.email = "new@example.org"
    parent.save(update_fields=["email"])
    deliver_message(message_id=mistyped.pk)
    assert mail.outbox[0].to == ["new@example.org"]
    assert OutboxMessage.objects.get(pk=mistyped.pk).to_email == "new@example.org"
