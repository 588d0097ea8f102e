"""Sending one webhook delivery, at most once per claim; the sweeper for rows left behind.

The same outbox discipline as e-mail (notifications/delivery.py): a worker claims a due queued
row with a conditional UPDATE (queued -> sending, with a lease until ``next_attempt_at``), posts
it, and marks it sent only after a 2xx answer. A redelivered task finds the row sent or taken and
does nothing. Every other answer or network error queues the row again with exponential backoff
until ``WEBHOOK_MAX_ATTEMPTS``. Receivers drop repeats by ``Webhook-Id``: the one window for a
repeat is a worker dying between the receiver's answer and the UPDATE.

Requests go only to https addresses, with a short timeout, never follow a redirect, and by
default never go to loopback or private addresses.
"""

import datetime
import ipaddress
import json
import logging
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from childcare.api.webhooks import signature
from childcare.models import WebhookDelivery

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status
USER_AGENT = "Kita-Portal-Webhooks/1"


class Refused(Exception):
    """The address may not be called (not https, or a private address)."""


@dataclass(frozen=True)
class DeliveryResult:
    outcome: str  # sent, skipped, retry, failed
    retry_at: datetime.datetime | None = None


def enqueue_delivery(delivery_id: int, *, eta: datetime.datetime | None = None) -> bool:
    """Queue the task; a broker that is down leaves the row queued for the sweeper."""
    from childcare.api.webhook_tasks import deliver_webhook

    try:
        deliver_webhook.apply_async(args=[delivery_id], eta=eta)
    except (OperationalError, OSError):
        logger.warning("Broker unreachable: webhook delivery %s stays queued", delivery_id, exc_info=True)
        return False
    return True


def claim_delivery(*, delivery_id: int, now: datetime.datetime) -> bool:
    lease_end = now + datetime.timedelta(seconds=settings.WEBHOOK_SENDING_TIMEOUT_SECONDS)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.QUEUED, next_attempt_at__lte=now
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=lease_end)
    return claimed == 1


def deliver(*, delivery_id: int) -> DeliveryResult:
    """Post a queued delivery once; any failure queues it again with backoff, or fails it at the limit."""
    if not claim_delivery(delivery_id=delivery_id, now=timezone.now()):
        return DeliveryResult("skipped")
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    try:
        response_status = post(delivery)
    except urllib.error.HTTPError as error:  # a non-2xx answer, a redirect included
        return _record_failure(delivery, f"HTTP {error.code}", response_status=error.code)
    except (OSError, Refused, ValueError) as error:
        return _record_failure(delivery, f"{type(error).__name__}: {error}", response_status=None)
    WebhookDelivery.objects.filter(pk=delivery_id, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), last_error="", response_status=response_status
    )
    return DeliveryResult("sent")


def request_for(delivery: WebhookDelivery, *, now: datetime.datetime | None = None) -> urllib.request.Request:
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int((now or timezone.now()).timestamp())
    event_id = str(delivery.event_id)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Webhook-Id": event_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature(
            secret=delivery.endpoint.secret, event_id=event_id, timestamp=timestamp, body=body
        ),
    }
    # post() checks the scheme (https only) before this request is opened.
    return urllib.request.Request(delivery.endpoint.url, data=body, headers=headers, method="POST")  # noqa: S310


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx code


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.WEBHOOK_CA_FILE or None)


def _check_address(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise Refused("only https addresses are called")
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    for *_rest, sockaddr in socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP):
        address = ipaddress.ip_address(sockaddr[0])
        if not address.is_global:
            raise Refused(f"{parts.hostname} resolves to a non-public address")


def post(delivery: WebhookDelivery) -> int:
    """POST the signed event; the answer's status if it is 2xx, else HTTPError."""
    _check_address(delivery.endpoint.url)
    opener = urllib.request.build_opener(_NoRedirects, urllib.request.HTTPSHandler(context=_tls_context()))
    with opener.open(request_for(delivery), timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
        return response.status


def retry_delay(*, attempts: int) -> datetime.timedelta:
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    return datetime.timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


def _record_failure(
    delivery: WebhookDelivery, description: str, *, response_status: int | None
) -> DeliveryResult:
    if delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        retry_at = timezone.now() + retry_delay(attempts=delivery.attempts)
        WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
            status=Status.QUEUED,
            next_attempt_at=retry_at,
            last_error=description,
            response_status=response_status,
        )
        logger.info(
            "Webhook delivery %s: attempt %s failed (%s)", delivery.pk, delivery.attempts, description
        )
        return DeliveryResult("retry", retry_at=retry_at)
    WebhookDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.FAILED,
        last_error=f"Gave up after {delivery.attempts} attempts. {description}",
        response_status=response_status,
    )
    logger.warning("Webhook delivery %s failed: %s", delivery.pk, description)
    return DeliveryResult("failed")


def sweep_deliveries(*, now: datetime.datetime | None = None) -> int:
    """Hand over queued rows the broker lost, and re-queue (or fail) rows whose sender's lease ran out."""
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=Status.QUEUED, next_attempt_at__lte=now - grace)
                | Q(status=Status.SENDING, next_attempt_at__lte=now)
            )
            .order_by("next_attempt_at")
            .values_list("pk", "status", "attempts")[: settings.OUTBOX_SWEEP_BATCH_SIZE]
        )
        limit = settings.WEBHOOK_MAX_ATTEMPTS
        exhausted = [pk for pk, status, attempts in rows if status == Status.SENDING and attempts >= limit]
        stalled = [pk for pk, status, attempts in rows if status == Status.SENDING and attempts < limit]
        overdue = [pk for pk, status, _attempts in rows if status == Status.QUEUED]
        WebhookDelivery.objects.filter(pk__in=exhausted, status=Status.SENDING).update(
            status=Status.FAILED, last_error=f"Gave up after {limit} attempts: sending was interrupted."
        )
        WebhookDelivery.objects.filter(pk__in=stalled, status=Status.SENDING).update(
            status=Status.QUEUED, next_attempt_at=now, last_error="Sending was interrupted; trying again."
        )
        # Moving next_attempt_at to now hides the rows from the next sweep for the grace period.
        WebhookDelivery.objects.filter(pk__in=overdue, status=Status.QUEUED).update(next_attempt_at=now)
        due = stalled + overdue
        transaction.on_commit(lambda: _hand_over(due))
    return len(due)


def _hand_over(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        if not enqueue_delivery(delivery_id):
            break  # the broker is down; the next sweep tries again
