"""Sessions are Django's database sessions, read with written-out statements, the signed-in user
along with a session this process has met before (portal/sessions.py)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from portal import sessions
from portal.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_portal_reads_its_sessions_with_its_own_store():
    assert settings.SESSION_ENGINE == "portal.sessions"


def test_a_saved_session_reads_back_in_one_query(django_assert_num_queries):
    session = SessionStore()
    session["staff_area"] = True
    session.save()
    with django_assert_num_queries(1):
        assert SessionStore(session.session_key).load() == {"staff_area": True}


def test_an_expired_or_unknown_session_reads_empty_and_gets_a_new_key():
    session = SessionStore()
    session["staff_area"] = True
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(session.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    expired["family_area"] = True
    expired.save()
    assert expired.session_key != session.session_key
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_a_signed_in_client_stays_signed_in(client, django_user_model):
    user = django_user_model.objects.create_user(email="a@example.org", password="x" * 12)
    client.force_login(user)
    assert client.get("/antraege/").status_code == 200


# --- the signed-in user read along with the session -------------------------------------------


def page_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("imprint"))
    # The session's and the user's statements (the page's own reads are other tests' business).
    tables = ('"django_session"', '"portal_user"')
    return response, [query["sql"] for query in queries if any(table in query["sql"] for table in tables)]


def test_a_known_session_and_its_user_are_read_in_one_statement(client, parent):
    client.force_login(parent)
    first, first_queries = page_queries(client)
    again, again_queries = page_queries(client)
    assert first.context["user"] == parent
    assert again.context["user"] == parent
    assert len(first_queries) == 2  # this process meets the session: session, then its user
    assert len(again_queries) == 1  # it knows whose session it is: both in one statement
    assert '"django_session"' in again_queries[0]
    assert '"portal_user"' in again_queries[0]
    assert parent.email in again.text


def test_a_password_changed_elsewhere_still_signs_the_session_out(client, parent):
    client.force_login(parent)
    page_queries(client)
    parent.set_password("a new password, 2026")
    parent.save()
    response, queries = page_queries(client)
    assert '"portal_user"' in queries[0]  # the user was read along, and still refused
    assert not response.context["user"].is_authenticated


def test_a_deactivated_user_is_signed_out(client, parent):
    client.force_login(parent)
    page_queries(client)
    type(parent).objects.filter(pk=parent.pk).update(is_active=False)
    response, _ = page_queries(client)
    assert not response.context["user"].is_authenticated


def test_a_session_deleted_elsewhere_signs_out(client, parent):
    client.force_login(parent)
    page_queries(client)
    Session.objects.all().delete()
    response, _ = page_queries(client)
    assert not response.context["user"].is_authenticated


def test_a_wrongly_remembered_owner_is_never_handed_out(client, parent):
    other = UserFactory(email="other@example.org")
    client.force_login(parent)
    page_queries(client)
    sessions._owners[client.session.session_key] = str(other.pk)  # as if a process mixed them up
    response, queries = page_queries(client)
    assert response.context["user"] == parent  # read by its own statement, not the other's row
    assert "other@example.org" not in response.text
    assert len(queries) == 2


def test_the_user_read_along_is_taken_once_and_only_for_its_id(parent):
    session = SessionStore()
    session[SESSION_KEY] = str(parent.pk)
    session.save()
    SessionStore(session.session_key).load()  # learns the owner
    SessionStore(session.session_key).load()  # reads both
    assert sessions.user_read_along(parent.pk + 1) is None
    SessionStore(session.session_key).load()
    assert sessions.user_read_along(parent.pk) == parent
    assert sessions.user_read_along(parent.pk) is None
