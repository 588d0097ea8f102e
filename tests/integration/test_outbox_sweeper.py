"""Services tier: two sweepers running at once (two beats, or a beat overlapping a slow sweep)."""

import datetime
import threading

import pytest
from django.db import connections
from django.utils import timezone

from notifications import sweeper
from notifications.models import OutboxMessage
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_sweepers_at_once_hand_each_message_over_once(monkeypatch):
    user = UserFactory()
    overdue = timezone.now() - datetime.timedelta(minutes=5)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            recipient=user,
            to_email=user.email,
            kind="test",
            language="de",
            subject="S",
            body_text="T",
            dedupe_key=f"lost:{n}",
            next_attempt_at=overdue,
        )
        for n in range(200)
    )
    handed_over = []
    lock = threading.Lock()

    def record(message_id, *, eta=None):
        with lock:
            handed_over.append(message_id)
        return True

    monkeypatch.setattr(sweeper, "enqueue_delivery", record)
    start = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            start.wait()
            sweeper.sweep_outbox()
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert sorted(handed_over) == sorted(OutboxMessage.objects.values_list("pk", flat=True))
