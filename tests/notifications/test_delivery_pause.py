"""A fault every message meets pauses delivery as a whole, alerts operators once, and loses nothing."""

import datetime
import logging
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction
from django.urls import reverse

from notifications import pause
from notifications.delivery import Outcome, deliver_message
from notifications.models import OutboxMessage
from notifications.services import notify
from tests.conftest import with_second_factor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
NOW = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)


class Fault:
    """A fake SMTP server whose credentials are wrong until ``fixed``."""

    def __init__(self):
        self.fixed = False
        self.attempts = 0


@pytest.fixture
def smtp(monkeypatch):
    fault = Fault()
    locmem_send = locmem.EmailBackend.send_messages

    def send_messages(backend, messages):
        fault.attempts += 1
        if not fault.fixed:
            raise smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")
        return locmem_send(backend, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)
    return fault


@pytest.fixture
def alerts(monkeypatch):
    sent = []
    monkeypatch.setattr(pause, "mail_admins", lambda subject, body, **kw: sent.append(subject))
    return sent


@pytest.fixture
def queued(parent, case):
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        return [
            notify(recipient=parent, kind="application_edited", dedupe_key=f"edit:{n}", context=case)
            for n in range(3)
        ]


def deliver_all(messages) -> list[Outcome]:
    return [deliver_message(message_id=message.pk).outcome for message in messages]


def test_wrong_credentials_pause_delivery_alert_once_and_everything_goes_out_after_the_fix(
    queued, smtp, alerts, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.ERROR, logger="notifications.pause")
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert deliver_all(queued) == [Outcome.PAUSED] * 3
    # Only the first message met the server; the others waited for the pause instead.
    assert smtp.attempts == 1
    rows = OutboxMessage.objects.filter(pk__in=[m.pk for m in queued])
    assert set(rows.values_list("status", "attempts")) == {(Status.QUEUED, 0)}
    assert alerts == ["E-mail delivery paused"]
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1

    # After the pause the server still refuses: a longer pause, no second alert, still nothing failed.
    later = NOW + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert deliver_all(queued) == [Outcome.PAUSED] * 3
        assert pause.current_pause().paused_until == later + datetime.timedelta(seconds=120)
    assert alerts == ["E-mail delivery paused"]
    assert not rows.filter(status=Status.FAILED).exists()

    smtp.fixed = True
    with time_machine.travel(later + datetime.timedelta(seconds=121), tick=False):
        assert deliver_all(queued) == [Outcome.SENT] * 3
        assert deliver_all(queued) == [Outcome.SKIPPED] * 3
        assert pause.current_pause() is None
    assert len(mail.outbox) == 3
    assert set(rows.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_health_reports_the_pause(client, queued, smtp, alerts):
    with time_machine.travel(NOW, tick=False):
        deliver_all(queued[:1])
        outbox = client.get("/health/").json()["checks"]["outbox"]
    assert outbox["ok"] is False
    assert outbox["paused_until"] == (NOW + datetime.timedelta(seconds=60)).isoformat()
    assert "535" in outbox["pause_reason"]


def test_a_single_recipients_refusal_still_fails_only_that_message(queued, monkeypatch):
    def refuse(backend, messages):
        raise smtplib.SMTPRecipientsRefused({"parent@example.org": (550, b"No such user")})

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    with time_machine.travel(NOW, tick=False):
        assert deliver_message(message_id=queued[0].pk).outcome is Outcome.FAILED
        assert pause.current_pause() is None


def test_the_office_sees_failed_deliveries_and_resends_one(client, municipal_office, parent, queued):
    OutboxMessage.objects.filter(pk=queued[0].pk).update(
        status=Status.FAILED, to_email="parent@exmaple.org", last_error="550 No such domain"
    )
    parent.email = "parent@example.org"
    parent.save(update_fields=["email"])
    client.force_login(municipal_office)
    url = reverse("notifications_office:failed")
    page = client.get(url)
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [row.pk for row in rows] == [queued[0].pk]
    assert "parent@exmaple.org" in page.content.decode()
    assert "550 No such domain" in page.content.decode()

    response = client.post(reverse("notifications_office:resend", args=[queued[0].public_id]))
    assert response.status_code == 302
    assert OutboxMessage.objects.get(pk=queued[0].pk).status == Status.QUEUED
    deliver_message(message_id=queued[0].pk)
    assert mail.outbox[-1].to == ["parent@example.org"]


def test_only_the_office_sees_failed_deliveries(client, staff, parent):
    client.force_login(staff)
    assert client.get(reverse("notifications_office:failed")).status_code == 404
    client.force_login(parent)
    assert client.get(reverse("notifications_office:failed")).status_code == 404


def test_the_failed_deliveries_page_reads_a_fixed_number_of_queries(
    client, municipal_office, parent, case, django_assert_max_num_queries
):
    with transaction.atomic():
        for n in range(5):
            message = notify(recipient=parent, kind="application_edited", dedupe_key=f"f:{n}", context=case)
            OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED)
    client.force_login(municipal_office)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("notifications_office:failed")).status_code == 200


def test_the_admin_shows_a_banner_while_delivery_is_paused(client, queued, smtp, alerts):
    with time_machine.travel(NOW, tick=False):
        deliver_all(queued[:1])
        client.force_login(with_second_factor(UserFactory(is_staff=True, is_superuser=True)))
        page = client.get("/admin/")
    content = page.content.decode()
    assert 'class="error" role="alert"' in content
    assert "535 5.7.8 Authentication credentials invalid" in content
