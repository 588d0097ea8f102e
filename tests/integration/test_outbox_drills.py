"""Fault drills on real services: Redis, a real Celery worker and an SMTP server on loopback.

Each drill takes the portal through an outage an operator meets (the mail server down, a
mailbox refused, wrong SMTP credentials, the broker down) and checks what the family and the
operators end up with: every message that still holds arrives exactly once, nothing stale
arrives, no message is failed for a fault that was not its own. Pauses and grace periods are
shortened through settings, so a drill of "minutes" takes seconds.
"""

import collections
import contextlib
import datetime
import email
import email.policy
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from childcare.admissions import offers
from childcare.models import AgeBand
from notifications import pause
from notifications.models import OutboxMessage
from notifications.services import notify
from notifications.tasks import deliver_outbox_message, sweep_outbox
from tests.factories import CapacityFactory, GuardianshipFactory, WishFactory
from tests.integration.conftest import RecordingHandler, broker_unreachable, free_port, wait_for

pytestmark = pytest.mark.services

Status = OutboxMessage.Status
START = timezone.localdate() + datetime.timedelta(days=60)
QUIET_PERIOD = 1.5  # after the expected e-mails, how long to watch for a late duplicate


class MailServer(RecordingHandler):
    """A loopback SMTP server that can be stopped and started again on its port.

    ``refused_mailboxes`` answers RCPT with a 550; ``password`` (when set) makes AUTH
    necessary, and ``accept_logins`` decides whether the right password is taken (False: 535
    for everyone, as after a credentials change on the server).
    """

    def __init__(self):
        super().__init__()
        self.port = free_port()
        self.refused_mailboxes = set()
        self.accept_logins = True
        self.logins = collections.Counter()
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refused_mailboxes:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        accepted = self.accept_logins
        self.logins["accepted" if accepted else "refused"] += 1
        return AuthResult(success=accepted, handled=False)  # refused: aiosmtpd answers 535 5.7.8

    def start(self):
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self.authenticate,
            auth_require_tls=False,
        )
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def message_ids(self) -> collections.Counter:
        with self.lock:
            return collections.Counter(
                email.message_from_bytes(envelope.original_content)["Message-ID"]
                for envelope in self.messages
            )

    def subjects(self) -> list[str]:
        with self.lock:
            return [
                " ".join(
                    email.message_from_bytes(envelope.original_content, policy=email.policy.default)[
                        "Subject"
                    ].split()
                )
                for envelope in self.messages
            ]


@pytest.fixture
def mail_server(settings):
    server = MailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    # A fault every message meets pauses delivery for 1 s, then 2 s (instead of 1 and 2 minutes).
    settings.OUTBOX_PAUSE_BASE_SECONDS = 1
    settings.OUTBOX_PAUSE_MAX_SECONDS = 2
    yield server
    with contextlib.suppress(Exception):
        server.stop()


@pytest.fixture
def alerts(monkeypatch):
    """The operators' alert e-mails (the loopback server may be the broken one, so they are counted here)."""
    sent = []
    monkeypatch.setattr(pause, "mail_admins", lambda subject, body, **kwargs: sent.append(subject))
    return sent


@pytest.fixture
def wish(facility, parent):
    CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=2)
    wish = WishFactory(facility=facility, age_band=AgeBand.UNDER_THREE, application__desired_start_date=START)
    GuardianshipFactory(user=parent, child=wish.application.child)
    return wish


def rows(**filters) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(**filters).order_by("pk"))


def header_of(message: OutboxMessage) -> str:
    return f"<outbox-{message.public_id}@kita-portal.example>"


def test_an_offer_made_and_withdrawn_while_smtp_is_down_reaches_the_family_only_as_its_withdrawal(
    celery_worker, mail_server, wish, parent, staff
):
    mail_server.stop()  # connection refused: the worker pauses delivery instead of failing the message
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    [made] = rows(kind="offer_made", recipient=parent)
    assert wait_for(lambda: OutboxMessage.objects.get(pk=made.pk).last_error.startswith("Delivery paused"))

    offers.withdraw_offer(offer=offer, by=staff)
    [withdrawn] = rows(kind="offer_withdrawn", recipient=parent)
    mail_server.start()

    assert wait_for(lambda: OutboxMessage.objects.get(pk=withdrawn.pk).status == Status.SENT, timeout=30)
    assert wait_for(lambda: OutboxMessage.objects.get(pk=made.pk).status == Status.SUPERSEDED, timeout=30)
    time.sleep(QUIET_PERIOD)
    assert mail_server.message_ids() == {header_of(withdrawn): 1}
    [subject] = mail_server.subjects()
    assert "zurückgezogen" in subject
    # Only the withdrawal went out: no offer letter saying "We are pleased to offer" reached them.
    [envelope] = mail_server.messages
    assert b"application/pdf" not in envelope.original_content


def test_a_refused_address_corrected_by_the_parent_is_resent_there_by_the_office(
    celery_worker, mail_server, parent, municipal_office, client
):
    parent.email = "parent@exmaple.org"  # mistyped; the receiving server knows no such mailbox
    parent.save(update_fields=["email"])
    mail_server.refused_mailboxes.add("parent@exmaple.org")
    with transaction.atomic():
        message = notify(
            recipient=parent,
            kind="application_edited",
            dedupe_key="drill:refused",
            context=_application_context(parent),
        )
    assert wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).status == Status.FAILED, timeout=20)
    failed = OutboxMessage.objects.get(pk=message.pk)
    assert "550" in failed.last_error
    assert failed.to_email == "parent@exmaple.org"

    parent.email = "parent@example.org"  # the family corrects its address in the portal
    parent.save(update_fields=["email"])
    client.force_login(municipal_office)
    assert failed.pk in [row.pk for row in client.get(reverse("notifications_office:failed")).context["rows"]]
    response = client.post(reverse("notifications_office:resend", args=[failed.public_id]))
    assert response.status_code == 302

    assert wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).status == Status.SENT, timeout=20)
    time.sleep(QUIET_PERIOD)
    [envelope] = mail_server.messages
    assert envelope.rcpt_tos == ["parent@example.org"]
    assert OutboxMessage.objects.get(pk=message.pk).to_email == "parent@example.org"  # where it went


def test_smtp_refusing_the_login_for_a_while_fails_nothing_and_delivers_everything_once_after(
    celery_worker, mail_server, parent, alerts, settings
):
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "kita-portal", "secret"
    settings.OUTBOX_MAX_ATTEMPTS = 2  # a pause must not use up attempts, or these would fail
    mail_server.accept_logins = False  # 535 5.7.8 for every login
    with transaction.atomic():
        written = [
            notify(
                recipient=parent,
                kind="application_edited",
                dedupe_key=f"drill:auth:{n}",
                context=_application_context(parent),
            )
            for n in range(5)
        ]
    # Several pauses in a row (1 s, 2 s, 2 s ...) stand for the minutes an operator needs.
    fault_ends = time.monotonic() + 6
    while time.monotonic() < fault_ends:
        assert not OutboxMessage.objects.filter(status=Status.FAILED).exists()
        time.sleep(0.2)
    assert mail_server.logins["refused"] >= 2
    assert mail_server.messages == []
    mail_server.accept_logins = True  # the operator fixed the password

    assert wait_for(lambda: OutboxMessage.objects.filter(status=Status.SENT).count() == 5, timeout=20)
    time.sleep(QUIET_PERIOD)
    assert mail_server.message_ids() == {header_of(message): 1 for message in written}
    assert not OutboxMessage.objects.filter(status=Status.FAILED).exists()
    assert alerts == ["E-mail delivery paused"]  # one alert for the whole fault, not one per strike
    assert pause.current_pause() is None


def test_a_request_writing_50_messages_while_the_broker_is_down_tries_it_once_and_all_arrive_later(
    celery_worker, mail_server, parent, settings, monkeypatch
):
    settings.OUTBOX_BROKER_RETRY_SECONDS = 1
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 1
    attempts = []
    publish = deliver_outbox_message.apply_async

    def counting_apply_async(*args, **kwargs):
        attempts.append(kwargs.get("args") or args)
        return publish(*args, **kwargs)

    monkeypatch.setattr(deliver_outbox_message, "apply_async", counting_apply_async)
    context = _application_context(parent)
    with broker_unreachable():
        with transaction.atomic():  # one request's transaction, as a bulk change writes it
            written = [
                notify(
                    recipient=parent,
                    kind="application_edited",
                    dedupe_key=f"drill:broker:{n}",
                    context=context,
                )
                for n in range(50)
            ]
        assert len(attempts) == 1  # one quick failed hand-over, not one (with retries) per message
    assert OutboxMessage.objects.filter(status=Status.QUEUED).count() == 50
    assert not wait_for(lambda: mail_server.messages, timeout=1.5)

    sweep_outbox.delay()  # the next beat, with the broker back
    assert wait_for(lambda: OutboxMessage.objects.filter(status=Status.SENT).count() == 50, timeout=60)
    sweep_outbox.delay()  # a later beat finds nothing left to hand over
    time.sleep(QUIET_PERIOD)
    assert mail_server.message_ids() == {header_of(message): 1 for message in written}


def _application_context(parent) -> dict:
    wish = WishFactory(application__desired_start_date=START)
    GuardianshipFactory(user=parent, child=wish.application.child)
    application = wish.application
    return {
        "application": application,
        "child": application.child,
        "link": f"/antraege/{application.public_id}/",
    }
