import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from notifications.kinds import UnknownNotificationKind
from notifications.models import OutboxMessage
from notifications.preferences import set_email_choices
from notifications.services import mark_all_read, mark_read, notify, queue_email, retry_failed_messages
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def notify_submitted(recipient, case, key="application:1:submitted", **kwargs):
    with transaction.atomic():
        return notify(
            recipient=recipient, kind="application_submitted", dedupe_key=key, context=case, **kwargs
        )


def test_notify_writes_the_rendered_message_and_sends_it_after_commit(parent, case):
    with transaction.atomic():
        message = notify(
            recipient=parent, kind="application_submitted", dedupe_key="application:1:submitted", context=case
        )
        assert mail.outbox == []  # nothing leaves before the commit
        assert message.status == OutboxMessage.Status.QUEUED
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert (message.kind, message.language, message.to_email) == ("application_submitted", "de", parent.email)
    assert message.subject.endswith("ist eingegangen – die Eingangsbestätigung liegt bei")
    assert message.sent_at is not None
    assert message.attempts == 1
    [email] = mail.outbox
    assert email.to == [parent.email]
    assert email.subject == message.subject
    assert email.body == message.body_text
    assert email.alternatives[0].mimetype == "text/html"


def test_english_recipient_gets_english(case):
    recipient = UserFactory(language="en")
    message = notify_submitted(recipient, case)
    assert message.language == "en"
    assert mail.outbox[0].subject.endswith("received – your receipt is attached")


def test_same_dedupe_key_writes_and_sends_once(parent, case):
    first = notify_submitted(parent, case)
    second = notify_submitted(parent, case)
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


def test_rolled_back_change_writes_and_sends_nothing(parent, case):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=parent, kind="application_submitted", dedupe_key="k", context=case)
        raise RuntimeError("the state change failed")
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_notify_outside_a_transaction_is_refused(parent, case):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        notify(recipient=parent, kind="application_submitted", dedupe_key="k", context=case)
    assert not OutboxMessage.objects.exists()


def test_unknown_kind_is_refused(parent, case):
    with pytest.raises(UnknownNotificationKind), transaction.atomic():
        notify(recipient=parent, kind="application_teleported", dedupe_key="k", context=case)


@pytest.mark.parametrize(
    "attachment",
    [{"kind": "application_receipt"}, {"kind": "x", "object_id": 1, "extra": 2}, "application_receipt"],
)
def test_malformed_attachment_is_refused_at_write_time(parent, case, attachment):
    with pytest.raises(ValueError, match="attachment"):
        notify_submitted(parent, case, attachments=[attachment])


def test_attachments_are_stored_for_rendering_at_send_time(parent, case, registered_receipt):
    message = notify_submitted(parent, case, attachments=[{"kind": "test_receipt", "object_id": 7}])
    message.refresh_from_db()
    assert message.attachments == [{"kind": "test_receipt", "object_id": 7}]
    assert mail.outbox[0].attachments[0].filename == "Eingangsbestaetigung-7-de.pdf"


def test_optional_kind_switched_off_writes_nothing(parent, case):
    set_email_choices(user=parent, choices={"waitlist_position_improved": False})
    with transaction.atomic():
        message = notify(recipient=parent, kind="waitlist_position_improved", dedupe_key="w:1", context=case)
    assert message is None
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_optional_kind_that_is_off_by_default_writes_nothing(parent, case):
    with transaction.atomic():
        assert (
            notify(recipient=parent, kind="waitlist_position_improved", dedupe_key="w:1", context=case)
            is None
        )


def test_optional_kind_switched_on_is_sent(parent, case):
    set_email_choices(user=parent, choices={"waitlist_position_improved": True})
    with transaction.atomic():
        message = notify(recipient=parent, kind="waitlist_position_improved", dedupe_key="w:1", context=case)
    assert message is not None
    assert len(mail.outbox) == 1


def test_staff_digest_is_on_by_default_and_can_be_switched_off(staff, case):
    with transaction.atomic():
        assert notify(recipient=staff, kind="staff_new_applications_digest", dedupe_key="d:1", context=case)
    set_email_choices(user=staff, choices={"staff_new_applications_digest": False})
    with transaction.atomic():
        assert (
            notify(recipient=staff, kind="staff_new_applications_digest", dedupe_key="d:2", context=case)
            is None
        )
    assert len(mail.outbox) == 1


def test_transactional_kinds_cannot_be_switched_off(parent, case):
    with pytest.raises(ValueError, match="not an optional"):
        set_email_choices(user=parent, choices={"offer_made": False})
    with transaction.atomic():
        assert notify(recipient=parent, kind="offer_made", dedupe_key="o:1", context=case) is not None


def test_queue_email_keeps_working_for_prerendered_messages(parent):
    with transaction.atomic():
        message = queue_email(recipient=parent, kind="test", subject="S", body_text="T", dedupe_key="k:1")
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.language == "de"


def test_mark_read_and_mark_all_read(parent, other_parent):
    with transaction.atomic():
        first = queue_email(recipient=parent, kind="test", subject="1", body_text="T", dedupe_key="k:1")
        queue_email(recipient=parent, kind="test", subject="2", body_text="T", dedupe_key="k:2")
        queue_email(recipient=other_parent, kind="test", subject="3", body_text="T", dedupe_key="k:3")
    mark_read(message=first)
    first.refresh_from_db()
    read_at = first.read_at
    assert read_at is not None
    mark_read(message=first)  # reading again keeps the first time
    first.refresh_from_db()
    assert first.read_at == read_at
    assert mark_all_read(user=parent) == 1
    assert OutboxMessage.objects.filter(read_at__isnull=True).get().recipient == other_parent


def test_retry_failed_messages_gives_fresh_attempts(parent):
    with transaction.atomic():
        message = queue_email(recipient=parent, kind="test", subject="S", body_text="T", dedupe_key="k:1")
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed", attempts=10, last_error="550 no")
    sent_before = len(mail.outbox)
    assert retry_failed_messages(message_ids=[message.pk]) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 1
    assert len(mail.outbox) == sent_before + 1
    assert retry_failed_messages(message_ids=[message.pk]) == 0  # only failed ones


def test_a_message_to_an_address_is_sent_there_and_shows_in_no_inbox(parent, case):
    with transaction.atomic():
        message = notify(
            to_email="partner@example.org",
            language="en",
            kind="guardian_invitation",
            dedupe_key="invitation:1",
            context=case,
        )
    message.refresh_from_db()
    assert message.recipient is None
    assert (message.to_email, message.language, message.status) == ("partner@example.org", "en", "sent")
    [email] = mail.outbox
    assert email.to == ["partner@example.org"]
    assert email.subject.endswith(
        "invites you to manage the daycare application for Mia – please accept the invitation"
    )
    assert reverse("notifications:inbox") not in email.body  # no inbox to point to
    partner = UserFactory(email="partner@example.org")
    assert not OutboxMessage.objects.filter(recipient__in=[parent, partner]).exists()


@pytest.mark.parametrize(
    "addressee",
    [
        {},
        {"to_email": "partner@example.org"},  # without a language
        {"language": "en"},
        {"to_email": "partner@example.org", "language": "en", "recipient": "parent"},
    ],
)
def test_a_message_goes_to_exactly_one_user_or_one_address(parent, case, addressee):
    if addressee.get("recipient"):
        addressee = {**addressee, "recipient": parent}
    with pytest.raises(ValueError, match="user"), transaction.atomic():
        notify(kind="guardian_invitation", dedupe_key="k", context=case, **addressee)
    assert not OutboxMessage.objects.exists()


def test_the_database_refuses_a_message_without_user_or_address():
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(kind="test", language="de", subject="S", body_text="T", dedupe_key="k")
