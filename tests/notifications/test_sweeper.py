import datetime

import pytest
import time_machine
from django.core import mail
from kombu.exceptions import OperationalError

from notifications.models import OutboxMessage
from notifications.sweeper import sweep_outbox
from notifications.tasks import deliver_outbox_message

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
NOW = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)
A_MINUTE_AGO = NOW - datetime.timedelta(seconds=60)


def seconds(n):
    return datetime.timedelta(seconds=n)


@pytest.fixture
def make_message(parent):
    def make(key, *, status=Status.QUEUED, next_attempt_at=A_MINUTE_AGO, attempts=0, sent_at=None):
        return OutboxMessage.objects.create(
            recipient=parent,
            to_email=parent.email,
            kind="test",
            language="de",
            subject=f"Betreff {key}",
            body_text="Text",
            dedupe_key=key,
            status=status,
            next_attempt_at=next_attempt_at,
            attempts=attempts,
            sent_at=sent_at,
        )

    return make


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the sweeper at NOW and its after-commit hand-over, like a beat task would."""

    def run(at=NOW):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return sweep_outbox()

    return run


@pytest.fixture
def broker_down(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(deliver_outbox_message, "apply_async", refuse)
    return attempts


def status_of(message):
    message.refresh_from_db()
    return message.status


def test_overdue_queued_message_is_handed_over_and_sent(make_message, sweep):
    message = make_message("lost-in-broker", next_attempt_at=NOW - seconds(31))
    assert sweep().requeued == 1
    assert status_of(message) == Status.SENT
    assert [m.subject for m in mail.outbox] == ["Betreff lost-in-broker"]


def test_recently_queued_message_is_left_to_its_commit_hook(make_message, sweep):
    message = make_message("just-committed", next_attempt_at=NOW - seconds(5))
    assert sweep().requeued == 0
    assert status_of(message) == Status.QUEUED
    assert mail.outbox == []


def test_message_waiting_for_a_retry_is_left_alone(make_message, sweep):
    message = make_message("backing-off", next_attempt_at=NOW + seconds(120), attempts=2)
    assert sweep().requeued == 0
    assert status_of(message) == Status.QUEUED


def test_message_of_a_dead_worker_is_sent_again_after_the_lease(make_message, sweep):
    message = make_message("worker-died", status=Status.SENDING, next_attempt_at=NOW - seconds(1), attempts=1)
    assert sweep().requeued == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert len(mail.outbox) == 1


def test_message_still_within_its_lease_is_left_alone(make_message, sweep):
    message = make_message(
        "sending-now", status=Status.SENDING, next_attempt_at=NOW + seconds(300), attempts=1
    )
    assert sweep().requeued == 0
    assert status_of(message) == Status.SENDING


def test_message_that_keeps_killing_workers_fails_after_the_last_attempt(make_message, sweep, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = make_message("poison", status=Status.SENDING, next_attempt_at=NOW - seconds(1), attempts=3)
    result = sweep()
    assert (result.requeued, result.failed) == (0, 1)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "interrupted" in message.last_error
    assert mail.outbox == []


def test_sent_and_failed_messages_are_never_touched(make_message, sweep):
    make_message("done", status=Status.SENT, next_attempt_at=NOW - seconds(3600), sent_at=NOW)
    make_message("given-up", status=Status.FAILED, next_attempt_at=NOW - seconds(3600))
    assert sweep().requeued == 0
    assert mail.outbox == []


def test_handed_over_rows_are_hidden_from_the_next_sweep(make_message, sweep, broker_down):
    make_message("a")
    assert sweep().requeued == 1
    assert sweep(at=NOW + seconds(10)).requeued == 0  # a second beat right after does not hand it over again
    assert sweep(at=NOW + seconds(31)).requeued == 1


def test_broker_down_keeps_messages_queued_and_stops_the_hand_over(make_message, sweep, broker_down):
    messages = [make_message(f"m{n}") for n in range(3)]
    assert sweep().requeued == 3
    assert len(broker_down) == 1  # one refused hand-over is enough to know the broker is down
    assert {status_of(message) for message in messages} == {Status.QUEUED}


def test_batch_size_limits_one_sweep(make_message, sweep, settings):
    settings.OUTBOX_SWEEP_BATCH_SIZE = 2
    for n in range(3):
        make_message(f"m{n}", next_attempt_at=NOW - seconds(60 + n))
    assert sweep().requeued == 2
    assert [m.subject for m in mail.outbox] == ["Betreff m2", "Betreff m1"]  # oldest first
