"""Development e-mail: each message its own .eml file that a mail program (or the email package) opens."""

import email
from email import policy

from django.core import mail
from django.core.mail import EmailMultiAlternatives

from portal.env import env_email

PDF = b"%PDF-1.4\n% a tiny letter\n"


def message(subject: str, to: str) -> EmailMultiAlternatives:
    msg = EmailMultiAlternatives(subject, "Guten Tag,\nes gibt Neuigkeiten.", "portal@example.org", [to])
    msg.attach_alternative("<p>Guten Tag,</p><p>es gibt Neuigkeiten.</p>", "text/html")
    msg.attach("Platzangebot.pdf", PDF, "application/pdf")
    return msg


def test_file_urls_use_the_eml_backend():
    assert env_email("E", "", environ={"E": "file:///srv/mail"}) == {
        "EMAIL_BACKEND": "portal.mail.EmlFileBackend",
        "EMAIL_FILE_PATH": "/srv/mail",
    }


def test_each_message_becomes_one_eml_file_with_its_attachments(settings, tmp_path):
    settings.EMAIL_BACKEND = "portal.mail.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    with mail.get_connection() as connection:  # one connection, as the outbox worker sends a batch
        sent = connection.send_messages(
            [message("Platzangebot für Zoë", "a@example.org"), message("Erinnerung", "b@example.org")]
        )
    assert sent == 2
    files = sorted((tmp_path / "mail").iterdir())
    assert [f.suffix for f in files] == [".eml", ".eml"]  # and no half-written leftovers
    parsed = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(m["Subject"] for m in parsed) == ["Erinnerung", "Platzangebot für Zoë"]
    assert sorted(m["To"] for m in parsed) == ["a@example.org", "b@example.org"]
    for parsed_message in parsed:
        assert "es gibt Neuigkeiten." in parsed_message.get_body(("plain",)).get_content()
        assert "<p>Guten Tag,</p>" in parsed_message.get_body(("html",)).get_content()
        (attachment,) = parsed_message.iter_attachments()
        assert attachment.get_filename() == "Platzangebot.pdf"
        assert attachment.get_content() == PDF


def test_a_message_without_recipients_writes_nothing(settings, tmp_path):
    settings.EMAIL_BACKEND = "portal.mail.EmlFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    assert mail.get_connection().send_messages([EmailMultiAlternatives("x", "y", "a@example.org", [])]) == 0
    assert not list(tmp_path.iterdir())
