import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import NotificationPreference, OutboxMessage
from portal.models import PortalSettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INBOX_PROCESSOR = "notifications.context_processors.inbox"


@pytest.fixture(autouse=True)
def inbox_context_processor(settings):
    """The inbox badge needs the context processor; added here until settings carry it."""
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    if INBOX_PROCESSOR not in processors:
        settings.TEMPLATES = [
            {
                **settings.TEMPLATES[0],
                "OPTIONS": {
                    **settings.TEMPLATES[0]["OPTIONS"],
                    "context_processors": [*processors, INBOX_PROCESSOR],
                },
            }
        ]


@pytest.fixture
def write_message():
    def write(recipient, key, *, subject=None, read=False, status=OutboxMessage.Status.SENT):
        return OutboxMessage.objects.create(
            recipient=recipient,
            to_email=recipient.email,
            kind="application_submitted",
            language="de",
            subject=subject or f"Betreff {key}",
            body_text=f"Guten Tag,\n\nText zu {key}.\n\nhttp://127.0.0.1:8000/antraege/{key}/",
            dedupe_key=key,
            status=status,
            sent_at=timezone.now() if status == OutboxMessage.Status.SENT else None,
            read_at=timezone.now() if read else None,
        )

    return write


def test_inbox_needs_a_signed_in_user(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_inbox_lists_only_the_users_messages_newest_first(client, parent, other_parent, write_message):
    write_message(parent, "old")
    write_message(parent, "new", read=True)
    write_message(other_parent, "foreign")
    client.force_login(parent)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert [m.subject for m in response.context["page"]] == ["Betreff new", "Betreff old"]
    html = response.content.decode()
    assert "Betreff foreign" not in html
    assert html.count(">Neu</span>") == 1  # only the unread one is marked
    assert "Text zu old." in html


def test_messages_to_an_address_show_in_no_inbox(client, parent, write_message):
    write_message(parent, "own")
    OutboxMessage.objects.create(
        to_email=parent.email,
        kind="guardian_invitation",
        language="de",
        subject="Betreff Einladung",
        body_text="Einladung",
        dedupe_key="invitation:1",
    )
    client.force_login(parent)
    response = client.get(reverse("notifications:inbox"))
    assert [m.subject for m in response.context["page"]] == ["Betreff own"]
    assert response.context["inbox"].unread_count == 1


def test_inbox_is_paginated(client, parent, write_message):
    for n in range(25):
        write_message(parent, f"m{n:02d}")
    client.force_login(parent)
    first = client.get(reverse("notifications:inbox"))
    second = client.get(reverse("notifications:inbox"), {"page": 2})
    assert len(first.context["page"]) == 20
    assert len(second.context["page"]) == 5
    assert "Seite 2 von 2" in second.content.decode()


@pytest.mark.parametrize("count", [1, 15])
def test_inbox_runs_a_constant_number_of_queries(
    client, parent, write_message, django_assert_num_queries, count
):
    for n in range(count):
        write_message(parent, f"m{n}")
        write_message(parent, f"s{n}", status=OutboxMessage.Status.SUPERSEDED)
    PortalSettings.load()
    client.force_login(parent)
    # 1 session, 1 user, 1 waiting messages (whose subject may have moved on), 1 count for the
    # paginator, 1 page of messages, 1 count of older versions, 1 portal settings, 1 unread badge
    with django_assert_num_queries(8):
        client.get(reverse("notifications:inbox"))


def test_detail_shows_the_message_and_marks_it_read(client, parent, write_message):
    message = write_message(parent, "m1")
    client.force_login(parent)
    response = client.get(reverse("notifications:message", args=[message.public_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h3">Betreff m1</h1>' in html
    assert 'href="http://127.0.0.1:8000/antraege/m1/"' in html  # the link in the text is clickable
    message.refresh_from_db()
    assert message.read_at is not None


def test_another_users_message_is_not_found(client, parent, other_parent, write_message):
    foreign = write_message(other_parent, "foreign")
    client.force_login(parent)
    assert client.get(reverse("notifications:message", args=[foreign.public_id])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_failed_delivery_is_explained_in_the_inbox(client, parent, write_message):
    message = write_message(parent, "m1", status=OutboxMessage.Status.FAILED)
    client.force_login(parent)
    html = client.get(reverse("notifications:message", args=[message.public_id])).content.decode()
    assert "konnte nicht per E-Mail zugestellt werden" in html


def test_mark_all_read_only_by_post_and_only_own_messages(client, parent, other_parent, write_message):
    write_message(parent, "m1")
    write_message(parent, "m2")
    foreign = write_message(other_parent, "foreign")
    client.force_login(parent)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not OutboxMessage.objects.filter(recipient=parent, read_at__isnull=True).exists()
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_navigation_shows_the_unread_count(client, parent, write_message):
    write_message(parent, "m1")
    write_message(parent, "m2")
    write_message(parent, "m3", read=True)
    client.force_login(parent)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("notifications:inbox")}">Postfach <span class="badge' in html
    assert '>2<span class="visually-hidden"> ungelesen</span>' in html


@pytest.mark.parametrize("count", [1, 12])
def test_unread_count_costs_one_query_whatever_the_number(client, parent, write_message, count):
    for n in range(count):
        write_message(parent, f"m{n}")
    client.force_login(parent)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    outbox_queries = [q["sql"] for q in queries if "notifications_outboxmessage" in q["sql"]]
    # Read along with the signed-in user (portal/auth_backends.py): no query of its own.
    assert len(outbox_queries) == 1
    assert "COUNT(" in outbox_queries[0]
    assert '"portal_user"' in outbox_queries[0].split("FROM")[-1]  # the user's own statement
    html = client.get(reverse("home")).content.decode()
    assert f'>{count}<span class="visually-hidden"> ungelesen</span>' in html


def test_the_user_read_with_the_count_counts_as_the_inbox_does(parent, write_message):
    from notifications.selectors import unread_count, user_with_unread_count

    other = UserFactory()
    write_message(parent, "queued", status=OutboxMessage.Status.QUEUED)
    write_message(parent, "sent")
    write_message(parent, "failed", status=OutboxMessage.Status.FAILED)
    write_message(parent, "read", read=True)
    write_message(parent, "superseded", status=OutboxMessage.Status.SUPERSEDED)
    write_message(other, "someone else's")
    user = user_with_unread_count(str(parent.pk))  # as the session holds it
    assert user == parent
    assert user.unread_messages == 3
    assert unread_count(user=parent) == 3  # the query set's count, without the snapshot
    assert user_with_unread_count("not a number") is None
    assert user_with_unread_count(other.pk + 1000) is None


def test_the_badge_counts_the_message_just_opened_as_read(client, parent, write_message):
    first = write_message(parent, "m1")
    write_message(parent, "m2")
    client.force_login(parent)
    assert '>2<span class="visually-hidden"> ungelesen</span>' in client.get(reverse("home")).text
    html = client.get(reverse("notifications:message", args=[first.public_id])).text
    assert '>1<span class="visually-hidden"> ungelesen</span>' in html


def test_anonymous_pages_do_not_count_messages(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not [q for q in queries if "notifications_outboxmessage" in q["sql"]]


def test_preferences_offer_parents_the_optional_parent_kinds(client, parent):
    client.force_login(parent)
    response = client.get(reverse("notifications:preferences"))
    assert list(response.context["form"].fields) == ["waitlist_position_improved"]
    html = response.content.decode()
    assert "<legend" in html
    assert 'for="id_waitlist_position_improved"' in html
    assert "Bessere Position auf einer Warteliste" in html
    assert "Platzangebot" in html  # transactional kinds listed as always sent
    assert "Übersicht neuer Anträge" not in html  # a staff kind
    assert "Einladung zur Verwaltung" not in html  # sent to addresses, not to this account


def test_preferences_offer_staff_their_digest(client, staff):
    client.force_login(staff)
    response = client.get(reverse("notifications:preferences"))
    assert set(response.context["form"].fields) == {
        "waitlist_position_improved",
        "staff_new_applications_digest",
    }
    assert response.context["form"]["staff_new_applications_digest"].initial is True


def test_saving_preferences(client, parent):
    client.force_login(parent)
    response = client.post(reverse("notifications:preferences"), {"waitlist_position_improved": "on"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=parent, kind="waitlist_position_improved").email_enabled
    client.post(reverse("notifications:preferences"), {})
    assert not NotificationPreference.objects.get(
        user=parent, kind="waitlist_position_improved"
    ).email_enabled


def test_preferences_ignore_kinds_the_user_cannot_choose(client, parent):
    client.force_login(parent)
    client.post(reverse("notifications:preferences"), {"offer_made": "", "staff_new_applications_digest": ""})
    assert (
        not NotificationPreference.objects.filter(user=parent)
        .exclude(kind="waitlist_position_improved")
        .exists()
    )


def test_pages_are_english_for_english_users(client):
    user = UserFactory(language="en")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    assert "Notification settings" in client.get(reverse("notifications:preferences")).content.decode()


def test_superseded_messages_stay_out_of_the_inbox_and_the_unread_badge(
    client, parent, write_message, in_english
):
    write_message(parent, "current", subject="Offer withdrawn")
    write_message(parent, "stale", subject="Place offered", status=OutboxMessage.Status.SUPERSEDED)
    client.force_login(parent)
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "Offer withdrawn" in html
    assert "Place offered" not in html
    assert "Show 1 older version" in html
    badge = client.get(reverse("home")).content.decode()
    assert '>1<span class="visually-hidden"> unread</span>' in badge


def test_older_versions_are_shown_on_request_and_marked_out_of_date(
    client, parent, write_message, in_english
):
    write_message(parent, "current", subject="Offer withdrawn")
    stale = write_message(parent, "stale", subject="Place offered", status=OutboxMessage.Status.SUPERSEDED)
    client.force_login(parent)
    html = client.get(reverse("notifications:inbox"), {"versions": "all"}).content.decode()
    assert "Offer withdrawn" in html
    assert "Place offered" in html
    assert "Out of date</span>" in html
    assert "Hide older versions" in html
    detail = client.get(reverse("notifications:message", args=[stale.public_id])).content.decode()
    assert "Out of date: what this message reported changed" in detail


def test_the_older_versions_toggle_shows_only_when_there_are_any(client, parent, write_message, in_english):
    write_message(parent, "current", subject="Offer withdrawn")
    client.force_login(parent)
    assert "older version" not in client.get(reverse("notifications:inbox")).content.decode()


def test_paging_through_older_versions_keeps_them_shown(client, parent, write_message, in_english):
    for n in range(25):
        write_message(parent, f"s{n}", status=OutboxMessage.Status.SUPERSEDED)
    client.force_login(parent)
    html = client.get(reverse("notifications:inbox"), {"versions": "all"}).content.decode()
    assert "?page=2&amp;versions=all" in html
