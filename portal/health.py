"""/health/: is every part the portal needs working? For load balancers and monitoring.

Answers 200 when database, broker, worker heartbeat and outbox are all fine, 503 otherwise,
with a JSON body per check. It names no person and no connection string: a failure reports
only the exception's class, because a broker or database error message can contain the URL
with its password. Each check is bounded: one query each, a broker connect with a short timeout.
"""

import datetime

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from notifications.models import OutboxMessage
from notifications.pause import current_pause
from portal.models import WorkerHeartbeat

BROKER_TIMEOUT_SECONDS = 2


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_broker() -> dict:
    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
        transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    ) as broker:
        broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
    return {"ok": True}


def check_worker(now: datetime.datetime) -> dict:
    beat_at = WorkerHeartbeat.objects.filter(pk=1).values_list("beat_at", flat=True).first()
    if beat_at is None:
        return {"ok": False, "heartbeat_age_seconds": None}
    age = max(0, int((now - beat_at).total_seconds()))
    return {"ok": age <= settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS, "heartbeat_age_seconds": age}


def check_outbox(now: datetime.datetime) -> dict:
    """Backlog of e-mails: how many wait, and how long the most overdue one has been due."""
    queued = OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED)
    oldest_due = queued.filter(next_attempt_at__lte=now).order_by("next_attempt_at").first()
    age = max(0, int((now - oldest_due.next_attempt_at).total_seconds())) if oldest_due else 0
    pause = current_pause(now=now)
    return {
        "ok": age <= settings.HEALTH_OUTBOX_MAX_DELAY_SECONDS and pause is None,
        "queued": queued.count(),
        "oldest_due_seconds": age,
        # A server-wide mail fault (e.g. wrong SMTP password) pauses all delivery until it is fixed.
        "paused_until": pause.paused_until.isoformat() if pause else None,
        "paused_since": pause.since.isoformat() if pause else None,
        "pause_reason": pause.reason if pause else None,
    }


@never_cache
@require_safe
def ping(request):
    """Liveness with exactly one SELECT: for load balancers, and the baseline of bench/pages.py."""
    check_database()
    return HttpResponse("ok", content_type="text/plain")


def _run(check, *args) -> dict:
    try:
        return check(*args)
    except Exception as error:  # any failure of a dependency is a failed check
        return {"ok": False, "error": type(error).__name__}


@never_cache
@require_safe
def health(request):
    now = timezone.now()
    checks = {"database": _run(check_database)}
    database_ok = checks["database"]["ok"]
    checks["broker"] = _run(check_broker)
    # Without a database the two remaining checks cannot be read; say so instead of failing twice.
    skipped = {"ok": False, "error": "database unavailable"}
    checks["worker"] = _run(check_worker, now) if database_ok else skipped
    checks["outbox"] = _run(check_outbox, now) if database_ok else skipped
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503
    )
