import logging

import pytest
from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError

from notifications.dispatch import enqueue_delivery
from notifications.models import OutboxMessage
from notifications.services import notify
from notifications.tasks import deliver_outbox_message

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(deliver_outbox_message, "apply_async", refuse)


def test_broker_down_at_commit_keeps_the_change_and_the_queued_message(parent, case, broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="notifications.dispatch"), transaction.atomic():
        message = notify(recipient=parent, kind="offer_made", dedupe_key="offer:1:made", context=case)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert mail.outbox == []
    assert f"outbox message {message.pk} stays queued for the sweeper" in caplog.text


def test_enqueue_reports_whether_the_broker_took_the_message(parent, broker_down):
    assert enqueue_delivery(123) is False


def test_enqueue_does_not_hide_errors_other_than_an_unreachable_broker(monkeypatch):
    def bug(*args, **kwargs):
        raise TypeError("a programming error")

    monkeypatch.setattr(deliver_outbox_message, "apply_async", bug)
    with pytest.raises(TypeError):
        enqueue_delivery(123)
