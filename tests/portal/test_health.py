import datetime

import pytest
from django.utils import timezone

from notifications.models import OutboxMessage
from portal.models import WorkerHeartbeat
from portal.tasks import record_heartbeat
from tests.factories import UserFactory

# A port nothing listens on: the connection is refused at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def working_broker(settings):
    settings.CELERY_BROKER_URL = "memory://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}


@pytest.fixture
def heartbeat(db):
    record_heartbeat()


def _queued_message(*, due_seconds_ago: int, recipient=None) -> OutboxMessage:
    recipient = recipient or UserFactory()
    return OutboxMessage.objects.create(
        recipient=recipient,
        to_email=recipient.email,
        kind="test",
        language="de",
        subject="Betreff",
        body_text="Text",
        dedupe_key=f"test-{recipient.pk}-{due_seconds_ago}",
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=due_seconds_ago),
    )


def test_health_is_200_without_login_when_everything_works(client, working_broker, heartbeat):
    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "worker", "outbox"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["outbox"] == {
        "ok": True,
        "queued": 0,
        "oldest_due_seconds": 0,
        "paused_until": None,
        "paused_since": None,
        "pause_reason": None,
    }
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_health_is_503_when_the_broker_cannot_be_reached(client, settings, heartbeat):
    settings.CELERY_BROKER_URL = DEAD_BROKER

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    # The error names the kind of failure only: a broker's message may carry its URL and password.
    assert "127.0.0.1" not in response.content.decode()


def test_health_is_503_without_a_recent_worker_heartbeat(client, working_broker, settings, db):
    assert client.get("/health/").json()["checks"]["worker"] == {"ok": False, "heartbeat_age_seconds": None}

    stale = timezone.now() - datetime.timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS + 5)
    WorkerHeartbeat.objects.create(pk=1, beat_at=stale)
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False
    assert response.json()["checks"]["worker"]["heartbeat_age_seconds"] >= 185


def test_outbox_backlog_reports_count_and_age_without_personal_data(
    client, working_broker, heartbeat, settings
):
    late = settings.HEALTH_OUTBOX_MAX_DELAY_SECONDS + 60
    _queued_message(due_seconds_ago=10)
    _queued_message(due_seconds_ago=late)
    future = _queued_message(due_seconds_ago=-600)  # a retry waiting for its time is not late

    response = client.get("/health/")

    assert response.status_code == 503
    outbox = response.json()["checks"]["outbox"]
    assert outbox["queued"] == 3
    assert late <= outbox["oldest_due_seconds"] < late + 30
    assert outbox["ok"] is False
    assert future.to_email not in response.content.decode()


def test_a_recent_backlog_is_still_healthy(client, working_broker, heartbeat, django_assert_max_num_queries):
    _queued_message(due_seconds_ago=30)

    with django_assert_max_num_queries(5):
        response = client.get("/health/")

    assert response.status_code == 200
    assert response.json()["checks"]["outbox"]["queued"] == 1


def test_heartbeat_task_moves_the_time_forward(db):
    record_heartbeat()
    first = WorkerHeartbeat.objects.get().beat_at
    record_heartbeat()

    assert WorkerHeartbeat.objects.get().beat_at >= first
    assert WorkerHeartbeat.objects.count() == 1


def test_ping_answers_ok_with_exactly_one_query(client, db, django_assert_num_queries):
    """The liveness check (and bench/pages.py's one-query baseline) costs one SELECT, nothing else."""
    client.get("/health/ping")  # the first request may load per-process state
    with django_assert_num_queries(1):
        response = client.get("/health/ping")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert client.post("/health/ping").status_code == 405
