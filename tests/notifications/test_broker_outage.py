"""A broker outage slows no request: one hand-over attempt per burst, the sweeper does the rest."""

import datetime
import time

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications.models import OutboxMessage
from notifications.services import notify
from notifications.sweeper import sweep_outbox
from notifications.tasks import deliver_outbox_message

pytestmark = pytest.mark.django_db(transaction=True)


class Broker:
    def __init__(self):
        self.up = False
        self.attempts = 0
        self.taken = []

    def apply_async(self, args, eta=None, retry=True):
        self.attempts += 1
        assert retry is False  # kombu's own retries would wait for the broker inside the request
        if not self.up:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
        self.taken.append(args[0])


@pytest.fixture
def broker(monkeypatch):
    fake = Broker()
    monkeypatch.setattr(deliver_outbox_message, "apply_async", fake.apply_async)
    return fake


def test_a_request_writing_50_messages_tries_the_broker_once_and_the_sweeper_hands_all_over(
    parent, case, broker
):
    started = time.monotonic()
    with transaction.atomic():
        for n in range(50):
            notify(recipient=parent, kind="application_edited", dedupe_key=f"edit:{n}", context=case)
    assert broker.attempts == 1
    assert time.monotonic() - started < 5  # no per-message waiting (the writes themselves take time)
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).count() == 50

    broker.up = True
    result = sweep_outbox(now=timezone.now() + datetime.timedelta(minutes=2))
    assert result.requeued == 50
    assert sorted(broker.taken) == sorted(OutboxMessage.objects.values_list("pk", flat=True))


def test_hand_overs_resume_once_the_retry_window_has_passed(parent, case, broker, settings):
    settings.OUTBOX_BROKER_RETRY_SECONDS = 0
    with transaction.atomic():
        notify(recipient=parent, kind="application_edited", dedupe_key="a", context=case)
    broker.up = True
    with transaction.atomic():
        notify(recipient=parent, kind="application_edited", dedupe_key="b", context=case)
    assert broker.attempts == 2
    assert len(broker.taken) == 1
