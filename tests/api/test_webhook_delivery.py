"""Webhook delivery against a real HTTPS receiver on loopback (eager Celery, no broker).

The receiver presents a self-signed certificate made here; the portal trusts it only through
WEBHOOK_CA_FILE. It answers 500 to the first two posts of every event and 204 to the third.
"""

import base64
import datetime
import hashlib
import hmac
import http.server
import ipaddress
import json
import ssl
import threading
from collections import Counter

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone

from childcare.admissions import applications as application_services
from childcare.admissions import offers as offer_services
from childcare.api import webhook_delivery, webhooks
from childcare.api.webhook_tasks import deliver_webhook
from childcare.models import AgeBand, WebhookDelivery
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    GuardianshipFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db
START = timezone.localdate() + datetime.timedelta(days=90)


def self_signed(directory) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "receiver.pem", directory / "receiver.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_file), str(key_file)


class Receiver:
    """Records every post; fails the first ``failures`` posts of each event id, then answers 204."""

    def __init__(self, cert_file: str, key_file: str, *, failures: int = 2):
        self.posts: list[dict] = []
        self.accepted: Counter = Counter()
        self.seen: Counter = Counter()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                event_id = self.headers["Webhook-Id"]
                receiver.posts.append({"path": self.path, "headers": dict(self.headers), "body": body})
                receiver.seen[event_id] += 1
                if self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "/elsewhere")
                elif receiver.seen[event_id] <= failures:
                    self.send_response(500)
                else:
                    receiver.accepted[event_id] += 1
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def certificate(tmp_path):
    return self_signed(tmp_path)


@pytest.fixture
def receiver(certificate, settings):
    settings.WEBHOOK_CA_FILE = certificate[0]
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0  # retries come at once, so eager Celery runs them inline
    with Receiver(*certificate) as running:
        yield running


@pytest.fixture
def wish(parent, facility):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=2)
    child = ChildFactory(birth_date=START - datetime.timedelta(days=4 * 365))
    GuardianshipFactory(user=parent, child=child)
    return WishFactory(
        application=ApplicationFactory(child=child, desired_start_date=START), facility=facility
    )


def verified(post, secret: str) -> dict:
    """What a receiver does: check the Standard Webhooks signature, then read the body."""
    headers = post["headers"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + post["body"]
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(headers["Webhook-Signature"], f"v1,{expected}")
    assert abs(int(headers["Webhook-Timestamp"]) - timezone.now().timestamp()) < 60
    return json.loads(post["body"])


def test_each_event_arrives_once_after_two_failures_with_a_valid_signature(
    receiver, wish, staff, parent, facility, django_capture_on_commit_callbacks
):
    endpoint = webhooks.create_endpoint(facility=facility, url=f"{receiver.url}/hooks", by=staff)
    other = WishFactory(application=ApplicationFactory(child=ChildFactory()), facility=facility, rank=2)
    WishFactory(application=other.application, rank=1)
    GuardianshipFactory(user=parent, child=other.application.child)
    with django_capture_on_commit_callbacks(execute=True):
        offer = offer_services.make_offer(wish=wish, start_date=START, by=staff)
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.accept_offer(offer=offer, by=parent)
    with django_capture_on_commit_callbacks(execute=True):
        application_services.withdraw_wish(wish=other, by=parent)

    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [d.event_type for d in deliveries] == ["offer.accepted", "placement.created", "wish.withdrawn"]
    assert {(d.status, d.attempts, d.response_status) for d in deliveries} == {("sent", 3, 204)}
    assert receiver.accepted == Counter({str(d.event_id): 1 for d in deliveries})
    assert len(receiver.posts) == 9
    bodies = [verified(post, endpoint.secret) for post in receiver.posts]
    assert [body["type"] for body in bodies[::3]] == ["offer.accepted", "placement.created", "wish.withdrawn"]

    # A redelivered task, and the sweeper, find every row sent: nothing goes out again.
    for delivery in deliveries:
        assert deliver_webhook.apply(args=[delivery.pk]).get() == "skipped"
    assert webhook_delivery.sweep_deliveries() == 0
    assert len(receiver.posts) == 9


def test_a_failure_waits_with_backoff_and_the_error_is_kept(receiver, wish, staff, facility, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    webhooks.create_endpoint(facility=facility, url=f"{receiver.url}/hooks", by=staff)
    webhooks.queue_event(facility=facility, event_type="wish.withdrawn", data={"x": 1})
    delivery = WebhookDelivery.objects.get()
    before = timezone.now()
    assert webhook_delivery.deliver(delivery_id=delivery.pk).outcome == "retry"
    assert webhook_delivery.deliver(delivery_id=delivery.pk).outcome == "skipped"  # not due yet
    delivery.refresh_from_db()
    assert delivery.status == "queued"
    assert delivery.response_status == 500
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at >= before + datetime.timedelta(seconds=30)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert webhook_delivery.deliver(delivery_id=delivery.pk).outcome == "retry"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= timezone.now() + datetime.timedelta(seconds=59)  # 2 x base


def test_redirects_are_not_followed(receiver, staff, facility, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    webhooks.create_endpoint(facility=facility, url=f"{receiver.url}/moved", by=staff)
    webhooks.queue_event(facility=facility, event_type="wish.withdrawn", data={})
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery.deliver(delivery_id=delivery.pk).outcome == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.response_status == 302
    assert [post["path"] for post in receiver.posts] == ["/moved"]


def test_an_untrusted_certificate_is_refused(receiver, staff, facility, settings):
    settings.WEBHOOK_CA_FILE = ""
    webhooks.create_endpoint(facility=facility, url=f"{receiver.url}/hooks", by=staff)
    webhooks.queue_event(facility=facility, event_type="wish.withdrawn", data={})
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery.deliver(delivery_id=delivery.pk).outcome == "retry"
    delivery.refresh_from_db()
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
    assert receiver.posts == []


def test_private_addresses_are_refused_unless_allowed(receiver, staff, facility, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    webhooks.create_endpoint(facility=facility, url=f"{receiver.url}/hooks", by=staff)
    webhooks.queue_event(facility=facility, event_type="wish.withdrawn", data={})
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery.deliver(delivery_id=delivery.pk).outcome == "retry"
    delivery.refresh_from_db()
    assert "non-public address" in delivery.last_error
    assert receiver.posts == []


def test_the_sweeper_requeues_a_delivery_whose_worker_died(receiver, staff, facility):
    webhooks.create_endpoint(facility=facility, url=f"{receiver.url}/hooks", by=staff)
    webhooks.queue_event(facility=facility, event_type="wish.withdrawn", data={})
    delivery = WebhookDelivery.objects.get()
    # A worker claimed it and died: the row is sending, its lease ran out.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", attempts=1, next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert webhook_delivery.sweep_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.status == "queued"
    assert delivery.last_error == "Sending was interrupted; trying again."
