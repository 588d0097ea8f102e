import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from notifications.delivery import Outcome, deliver_message, is_temporary, retry_delay
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
NOW = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def message(parent):
    return OutboxMessage.objects.create(
        recipient=parent,
        to_email=parent.email,
        kind="application_submitted",
        language="de",
        subject="Ihr Antrag ist eingegangen",
        body_text="Guten Tag",
        body_html="<p>Guten Tag</p>",
        dedupe_key="application:1:submitted",
        next_attempt_at=NOW,
    )


@pytest.fixture
def smtp_answers(monkeypatch):
    """Make every send raise the next error in the list (None = accept)."""
    answers = []
    locmem_send = locmem.EmailBackend.send_messages

    def send_messages(backend, messages):
        error = answers.pop(0) if answers else None
        if error is not None:
            raise error
        return locmem_send(backend, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)
    return answers


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_accepted_message_is_marked_sent_with_its_headers(message, clock):
    result = deliver_message(message_id=message.pk)
    assert result.outcome is Outcome.SENT
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at, message.last_error) == (
        Status.SENT,
        1,
        NOW,
        "",
    )
    [email] = mail.outbox
    headers = email.message()
    assert headers["Message-ID"] == f"<outbox-{message.public_id}@kita-portal.example>"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Content-Language"] == "de"


def test_second_run_is_a_no_op(message, clock):
    deliver_message(message_id=message.pk)
    assert deliver_message(message_id=message.pk).outcome is Outcome.SKIPPED
    assert len(mail.outbox) == 1


def test_message_being_sent_elsewhere_is_left_alone(message, clock):
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.SENDING)
    assert deliver_message(message_id=message.pk).outcome is Outcome.SKIPPED
    assert mail.outbox == []


def test_message_waiting_for_its_retry_time_is_not_sent_early(message, clock):
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=NOW + datetime.timedelta(seconds=30))
    assert deliver_message(message_id=message.pk).outcome is Outcome.SKIPPED
    assert mail.outbox == []


def test_smtp_451_queues_the_message_again_with_exponential_backoff(message, smtp_answers, clock):
    smtp_answers += [smtplib.SMTPDataError(451, b"4.3.0 try again later")] * 2
    first = deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert first.outcome is Outcome.RETRY
    assert first.retry_at == NOW + datetime.timedelta(seconds=30)
    assert (message.status, message.attempts, message.next_attempt_at) == (Status.QUEUED, 1, first.retry_at)
    assert message.last_error == "SMTPDataError: 451 4.3.0 try again later"

    clock.move_to(first.retry_at)
    second = deliver_message(message_id=message.pk)
    assert second.retry_at == first.retry_at + datetime.timedelta(seconds=60)

    clock.move_to(second.retry_at)
    assert deliver_message(message_id=message.pk).outcome is Outcome.SENT
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 3, "")
    assert len(mail.outbox) == 1


def test_temporary_errors_give_up_after_the_configured_attempts(message, smtp_answers, clock, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    # A 4xx for this message (not a fault every message meets, which pauses delivery instead).
    smtp_answers += [smtplib.SMTPDataError(451, b"4.3.0 try again later")] * 3
    outcomes = []
    for _ in range(3):
        result = deliver_message(message_id=message.pk)
        outcomes.append(result.outcome)
        clock.move_to(result.retry_at or timezone.now())
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.last_error == "Gave up after 3 attempts. SMTPDataError: 451 4.3.0 try again later"


def test_smtp_550_fails_the_message_with_the_servers_answer(message, smtp_answers, clock):
    smtp_answers.append(smtplib.SMTPDataError(550, b"5.1.1 mailbox unavailable"))
    assert deliver_message(message_id=message.pk).outcome is Outcome.FAILED
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.last_error == "SMTPDataError: 550 5.1.1 mailbox unavailable"
    assert mail.outbox == []


def test_refused_recipient_fails_the_message(message, smtp_answers, clock):
    smtp_answers.append(smtplib.SMTPRecipientsRefused({message.to_email: (550, b"5.1.1 no such user")}))
    assert deliver_message(message_id=message.pk).outcome is Outcome.FAILED
    message.refresh_from_db()
    assert message.last_error == f"SMTPRecipientsRefused: {message.to_email}: 550 5.1.1 no such user"


def test_unknown_attachment_kind_fails_the_message(message, clock):
    OutboxMessage.objects.filter(pk=message.pk).update(
        attachments=[{"kind": "nobody_renders_this", "object_id": 1}]
    )
    assert deliver_message(message_id=message.pk).outcome is Outcome.FAILED
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "nobody_renders_this" in message.last_error
    assert mail.outbox == []


def test_registered_attachment_is_rendered_in_the_recipients_language(message, clock, registered_receipt):
    OutboxMessage.objects.filter(pk=message.pk).update(
        language="en", attachments=[{"kind": "test_receipt", "object_id": 12}]
    )
    deliver_message(message_id=message.pk)
    [email] = mail.outbox
    assert email.attachments[0].filename == "Eingangsbestaetigung-12-en.pdf"
    assert email.attachments[0].content == b"%PDF-1.4 test"
    assert email.attachments[0].mimetype == "application/pdf"


@pytest.mark.parametrize(
    ("error", "temporary"),
    [
        (smtplib.SMTPDataError(451, b"try later"), True),
        (smtplib.SMTPSenderRefused(452, b"too many", "a@b"), True),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"busy"), "c@d": (550, b"no")}), False),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPConnectError(421, b"closing"), True),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPDataError(550, b"no"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPNotSupportedError(), False),
        (ValueError("a bug"), False),
    ],
)
def test_error_classification(error, temporary):
    assert is_temporary(error) is temporary


def test_backoff_doubles_up_to_the_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 200
    assert [retry_delay(attempts=n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 200, 200]


def test_a_message_without_a_user_is_delivered_to_its_stored_address(clock):
    message = OutboxMessage.objects.create(
        to_email="partner@example.org",
        kind="guardian_invitation",
        language="en",
        subject="Invitation",
        body_text="Hello",
        dedupe_key="invitation:1",
        next_attempt_at=NOW,
    )
    assert deliver_message(message_id=message.pk).outcome is Outcome.SENT
    [email] = mail.outbox
    assert email.to == ["partner@example.org"]
    assert email.extra_headers["Content-Language"] == "en"


def test_a_dead_workers_message_is_retried_after_a_two_minute_lease(message, clock, settings):
    from notifications.delivery import claim_message
    from notifications.sweeper import sweep_outbox

    assert settings.OUTBOX_SENDING_TIMEOUT_SECONDS == 120
    assert claim_message(message_id=message.pk, now=timezone.now())  # the worker dies after this
    assert sweep_outbox(now=NOW + datetime.timedelta(seconds=119)).requeued == 0
    assert sweep_outbox(now=NOW + datetime.timedelta(seconds=120)).requeued == 1


def test_marking_sent_survives_a_database_hiccup_right_after_the_server_accepted(message, clock, monkeypatch):
    from django.db import OperationalError
    from django.db.models import QuerySet

    real_update = QuerySet.update
    hiccups = [OperationalError("server closed the connection unexpectedly")]

    def update(queryset, **fields):
        if fields.get("status") == Status.SENT and hiccups:
            raise hiccups.pop()
        return real_update(queryset, **fields)

    monkeypatch.setattr(QuerySet, "update", update)
    monkeypatch.setattr("notifications.delivery.db.connections.close_all", lambda: None)
    monkeypatch.setattr("notifications.delivery.time.sleep", lambda seconds: None)
    assert deliver_message(message_id=message.pk).outcome is Outcome.SENT
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mail.outbox) == 1


def test_a_delivery_costs_four_statements_when_nothing_is_wrong(message, clock, django_assert_num_queries):
    # 1 the pause row (none), 2 claim (conditional UPDATE), 3 the row and its recipient,
    # 4 mark sent (one autocommitted UPDATE): no BEGIN/COMMIT, nothing written to the pause row.
    with django_assert_num_queries(4):
        assert deliver_message(message_id=message.pk).outcome is Outcome.SENT


def test_a_delivery_after_a_pause_ended_clears_the_fault(message, clock):
    from notifications import pause

    pause.pause_delivery(reason="535 wrong password", now=NOW - datetime.timedelta(hours=1))
    assert pause.delivery_state(now=NOW).fault_on_record
    assert deliver_message(message_id=message.pk).outcome is Outcome.SENT
    assert not pause.delivery_state(now=NOW).fault_on_record
