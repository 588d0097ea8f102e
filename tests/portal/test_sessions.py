"""Sessions are Django's database sessions, read with one written-out statement (portal/sessions.py)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.sessions import SessionStore

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
