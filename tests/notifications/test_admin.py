import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import NotificationPreference, OutboxMessage
from tests.conftest import with_second_factor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(client):
    client.force_login(with_second_factor(UserFactory(is_staff=True, is_superuser=True)))
    return client


@pytest.fixture
def failed_message(parent):
    return OutboxMessage.objects.create(
        recipient=parent,
        to_email=parent.email,
        kind="test",
        language="de",
        subject="Betreff",
        body_text="Text",
        dedupe_key="k:1",
        status=OutboxMessage.Status.FAILED,
        attempts=1,
        last_error="SMTPDataError: 550 5.1.1 mailbox unavailable",
    )


def test_failed_message_shows_the_servers_answer(admin_client, failed_message):
    changelist = admin_client.get(reverse("admin:notifications_outboxmessage_changelist"))
    assert "550 5.1.1 mailbox unavailable" in changelist.content.decode()
    change = admin_client.get(reverse("admin:notifications_outboxmessage_change", args=[failed_message.pk]))
    assert "550 5.1.1 mailbox unavailable" in change.content.decode()


def test_admin_can_send_failed_messages_again(admin_client, failed_message):
    response = admin_client.post(
        reverse("admin:notifications_outboxmessage_changelist"),
        {"action": "retry_failed", "_selected_action": [failed_message.pk]},
    )
    assert response.status_code == 302
    failed_message.refresh_from_db()
    assert failed_message.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1


def test_preferences_have_an_admin(admin_client, parent):
    NotificationPreference.objects.create(user=parent, kind="waitlist_position_improved", email_enabled=True)
    response = admin_client.get(
        reverse("admin:notifications_notificationpreference_changelist"), {"q": "parent"}
    )
    assert parent.email in response.content.decode()
