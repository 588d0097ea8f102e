"""Services tier: outbox messages travel through Redis and real Celery workers to a real SMTP server."""

import datetime
import email
import email.policy
import io
import time

import pypdf
import pytest
from django.db import transaction
from django.utils import timezone
from reportlab.pdfgen import canvas

from childcare.models import OfferStatus
from notifications import attachments
from notifications.models import OutboxMessage
from notifications.services import notify
from notifications.tasks import sweep_outbox
from tests.factories import (
    ApplicationFactory,
    ChildFactory,
    FacilityFactory,
    GuardianshipFactory,
    OfferFactory,
    UserFactory,
    WishFactory,
)
from tests.integration.conftest import broker_unreachable, wait_for

pytestmark = pytest.mark.services

Status = OutboxMessage.Status
QUIET_PERIOD = 1.0  # after the expected e-mail, how long to watch for a duplicate


@pytest.fixture
def offer_case():
    parent = UserFactory(email="parent@example.org", language="en")
    child = ChildFactory(first_name="Mia")
    GuardianshipFactory(user=parent, child=child)
    application = ApplicationFactory(child=child)
    facility = FacilityFactory(name="Kita Sonnenblume")
    offer = OfferFactory(
        wish=WishFactory(application=application, facility=facility),
        start_date=datetime.date(2027, 8, 2),
        expires_at=timezone.make_aware(datetime.datetime(2027, 3, 15, 18, 0)),
    )
    return {
        "recipient": parent,
        "context": {
            "offer": offer,
            "application": application,
            "child": child,
            "facility": facility,
            "link": f"/angebote/{offer.public_id}/",
        },
    }


@pytest.fixture
def offer_letter(monkeypatch):
    """A real PDF renderer of the test's own, independent of how the childcare app lays out letters."""

    def render(object_id, language):
        title = {"de": "Platzangebot", "en": "Offer of a place"}[language]
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer)
        pdf.drawString(72, 760, f"{title} #{object_id}")
        pdf.save()
        return f"offer-{object_id}.pdf", buffer.getvalue(), "application/pdf"

    monkeypatch.setitem(attachments.RENDERERS, "test_offer_letter", render)


def make_offer_and_tell(offer_case, *, attachments=()):
    """A state change and its message in one transaction, as the offer service does it."""
    offer = offer_case["context"]["offer"]
    with transaction.atomic():
        offer.status = OfferStatus.OPEN
        offer.save(update_fields=["status"])
        return notify(
            recipient=offer_case["recipient"],
            kind="offer_made",
            dedupe_key=f"offer:{offer.pk}:made",
            context=offer_case["context"],
            attachments=attachments,
        )


def row(message):
    return OutboxMessage.objects.get(pk=message.pk)


def test_status_change_delivers_one_email_with_subject_language_and_pdf(
    celery_worker, smtp_server, offer_case, offer_letter
):
    offer = offer_case["context"]["offer"]
    message = make_offer_and_tell(
        offer_case, attachments=[{"kind": "test_offer_letter", "object_id": offer.pk}]
    )
    assert wait_for(lambda: row(message).status == Status.SENT, timeout=15)
    time.sleep(QUIET_PERIOD)
    [envelope] = smtp_server.messages
    assert envelope.rcpt_tos == ["parent@example.org"]
    parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    subject = parsed["Subject"].strip()  # Django folds a long encoded subject onto a continuation line
    assert subject == "[Kita-Portal] Place offered at Kita Sonnenblume – please answer by 15 March 2027"
    assert parsed["Content-Language"] == "en"
    assert parsed["Message-ID"] == f"<outbox-{message.public_id}@kita-portal.example>"
    text = parsed.get_body(("plain",)).get_content()
    assert "Kita Sonnenblume offers Mia a place starting on 2 August 2027" in text
    assert parsed.get_body(("html",)).get_content().startswith("<!doctype html>")
    [pdf] = [part for part in parsed.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"offer-{offer.pk}.pdf"
    first_page = pypdf.PdfReader(io.BytesIO(pdf.get_content())).pages[0]
    assert f"Offer of a place #{offer.pk}" in first_page.extract_text()


def test_smtp_451_twice_then_accepted_delivers_exactly_once(celery_worker, smtp_server, offer_case, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 0.3
    smtp_server.answers = ["451 4.3.0 try again later", "451 4.3.0 try again later"]
    message = make_offer_and_tell(offer_case)
    assert wait_for(lambda: row(message).status == Status.SENT, timeout=15)
    time.sleep(QUIET_PERIOD)
    assert len(smtp_server.refused) == 2
    assert len(smtp_server.messages) == 1
    sent = row(message)
    assert (sent.attempts, sent.last_error) == (3, "")


def test_smtp_550_marks_the_message_failed_and_sends_nothing(celery_worker, smtp_server, offer_case):
    smtp_server.answers = ["550 5.1.1 mailbox unavailable"]
    message = make_offer_and_tell(offer_case)
    assert wait_for(lambda: row(message).status == Status.FAILED, timeout=15)
    time.sleep(QUIET_PERIOD)
    assert smtp_server.messages == []
    failed = row(message)
    assert failed.attempts == 1
    assert failed.last_error == "SMTPDataError: 550 5.1.1 mailbox unavailable"


def test_broker_down_at_commit_then_back_the_sweeper_delivers_exactly_once(
    celery_worker, smtp_server, offer_case, settings
):
    settings.OUTBOX_SWEEP_GRACE_SECONDS = 1
    with broker_unreachable():
        message = make_offer_and_tell(offer_case)  # the commit succeeds although the broker is down
    assert row(message).status == Status.QUEUED
    assert not wait_for(lambda: smtp_server.messages, timeout=1.5)

    sweep_outbox.delay()  # the next beat, with the broker back
    assert wait_for(lambda: row(message).status == Status.SENT, timeout=15)
    sweep_outbox.delay()  # a later beat finds nothing to do
    time.sleep(QUIET_PERIOD)
    assert len(smtp_server.messages) == 1


def test_worker_killed_after_sending_before_acknowledging_does_not_send_twice(
    worker_process, smtp_server, offer_case
):
    message = make_offer_and_tell(offer_case)
    first = worker_process(smtp_port=smtp_server.port, pause_before_ack=60)
    assert wait_for(lambda: row(message).status == Status.SENT, timeout=20), first.output()
    assert len(smtp_server.messages) == 1
    first.kill()  # sent and marked sent, but never acknowledged

    second = worker_process(smtp_port=smtp_server.port)
    # The broker hands the unacknowledged task to the second worker, which finds the row sent.
    assert wait_for(lambda: "succeeded" in second.output(), timeout=20), second.output()
    assert "'skipped'" in second.output()
    time.sleep(QUIET_PERIOD)
    assert len(smtp_server.messages) == 1


def test_rolled_back_change_sends_nothing(celery_worker, smtp_server, offer_case):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(
            recipient=offer_case["recipient"],
            kind="offer_made",
            dedupe_key="offer:never",
            context=offer_case["context"],
        )
        raise RuntimeError("the state change failed")
    assert not OutboxMessage.objects.exists()
    assert not wait_for(lambda: smtp_server.messages, timeout=2)
