import datetime
import smtplib

import pytest
import time_machine
from django import db
from django.conf import settings
from django.core.mail.backends import locmem

from notifications import delivery
from notifications.models import OutboxMessage
from notifications.tasks import deliver_outbox_message, sweep_outbox

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def message(parent):
    return OutboxMessage.objects.create(
        recipient=parent,
        to_email=parent.email,
        kind="test",
        language="de",
        subject="S",
        body_text="T",
        dedupe_key="k:1",
        next_attempt_at=NOW,
    )


def test_task_schedules_the_retry_at_the_backoff_time(message, monkeypatch):
    def greylist(backend, messages):
        raise smtplib.SMTPDataError(451, b"4.7.1 greylisted")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", greylist)
    scheduled = []
    monkeypatch.setattr(
        "notifications.tasks.enqueue_delivery", lambda message_id, *, eta: scheduled.append((message_id, eta))
    )
    with time_machine.travel(NOW, tick=False):
        assert deliver_outbox_message.delay(message.pk).get() == "retry"
    assert scheduled == [(message.pk, NOW + datetime.timedelta(seconds=30))]


def test_sent_message_schedules_nothing(message, monkeypatch):
    monkeypatch.setattr(
        "notifications.tasks.enqueue_delivery", lambda *args, **kwargs: pytest.fail("rescheduled")
    )
    with time_machine.travel(NOW, tick=False):
        assert deliver_outbox_message.delay(message.pk).get() == "sent"
        assert deliver_outbox_message.delay(message.pk).get() == "skipped"


def test_task_options_make_a_lost_worker_redeliver():
    assert deliver_outbox_message.acks_late is True
    assert deliver_outbox_message.reject_on_worker_lost is True


def test_database_error_drops_the_reused_connection(monkeypatch):
    closed = []

    def database_gone(**kwargs):
        raise db.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(delivery, "deliver_message", database_gone)
    monkeypatch.setattr(db.connections, "close_all", lambda: closed.append(True))
    with pytest.raises(db.OperationalError):
        deliver_outbox_message.delay(1)
    assert closed == [True]


def test_sweeper_runs_every_minute_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-sweep-outbox"]
    assert entry["task"] == sweep_outbox.name
    assert entry["schedule"] == 60.0
