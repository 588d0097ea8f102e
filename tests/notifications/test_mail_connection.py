import smtplib

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from notifications.mail_connection import close_connection, send_email

BACKEND = "tests.notifications.test_mail_connection.RecordingBackend"


class RecordingBackend(BaseEmailBackend):
    """A mail server connection that counts opens and answers with scripted errors."""

    opened = 0
    answers: list = []
    sent: list = []

    def open(self):
        RecordingBackend.opened += 1
        self.is_open = True
        return True

    def close(self):
        self.is_open = False

    def send_messages(self, email_messages):
        answer = RecordingBackend.answers.pop(0) if RecordingBackend.answers else None
        if answer is not None:
            raise answer
        RecordingBackend.sent.extend(email_messages)
        return len(email_messages)


@pytest.fixture(autouse=True)
def recording_backend(settings):
    settings.EMAIL_BACKEND = BACKEND
    RecordingBackend.opened, RecordingBackend.answers, RecordingBackend.sent = 0, [], []
    close_connection()
    yield RecordingBackend
    close_connection()


def email(n=1):
    return EmailMessage(subject=f"S{n}", body="T", to=["parent@example.org"])


def test_one_connection_serves_many_messages(recording_backend):
    for n in range(3):
        send_email(email(n))
    assert recording_backend.opened == 1
    assert len(recording_backend.sent) == 3


def test_connection_dropped_while_idle_is_replaced_once(recording_backend):
    send_email(email(1))
    recording_backend.answers = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed")]
    send_email(email(2))
    assert recording_backend.opened == 2
    assert [m.subject for m in recording_backend.sent] == ["S1", "S2"]


def test_421_on_a_reused_connection_is_retried_on_a_fresh_one(recording_backend):
    send_email(email(1))
    recording_backend.answers = [smtplib.SMTPDataError(421, b"4.7.0 too many messages on this connection")]
    send_email(email(2))
    assert len(recording_backend.sent) == 2


def test_disconnect_on_a_fresh_connection_is_reported_not_retried(recording_backend):
    recording_backend.answers = [smtplib.SMTPServerDisconnected("gone")]
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_email(email(1))
    assert recording_backend.opened == 1


def test_a_server_answer_is_reported_and_the_next_message_gets_a_new_connection(recording_backend):
    send_email(email(1))
    recording_backend.answers = [smtplib.SMTPDataError(550, b"5.1.1 no such user")]
    with pytest.raises(smtplib.SMTPDataError):
        send_email(email(2))
    send_email(email(3))
    assert recording_backend.opened == 2
    assert [m.subject for m in recording_backend.sent] == ["S1", "S3"]


def test_changed_settings_open_a_new_connection(recording_backend, settings):
    send_email(email(1))
    settings.EMAIL_PORT = 2525
    send_email(email(2))
    assert recording_backend.opened == 2
