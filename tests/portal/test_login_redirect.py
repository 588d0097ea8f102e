"""Where people land after signing in: parents on their applications, staff and office on facilities."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def sign_in(client, user, next_url=None):
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": user.email, "password": PASSWORD})


def test_a_parent_lands_on_their_applications(client, parent):
    response = sign_in(client, parent)
    assert response["Location"] == reverse("parents:application_list")


def sign_in_with_second_factor(client, user):
    """Password first, then the code of the authenticator app: staff and office always need both."""
    Authenticator.objects.filter(user=user).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert sign_in(client, user)["Location"] == reverse("mfa_authenticate")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    return client.post(reverse("mfa_authenticate"), {"code": code})


def test_facility_staff_land_on_their_facilities(client, staff):
    response = sign_in_with_second_factor(client, staff)
    assert response["Location"] == reverse("backoffice:facilities")


def test_the_municipal_office_lands_on_the_facilities(client, municipal_office):
    response = sign_in_with_second_factor(client, municipal_office)
    assert response["Location"] == reverse("backoffice:facilities")


def test_a_safe_next_wins_and_an_outside_one_is_ignored(client, parent):
    wanted = reverse("parents:child_list")
    assert sign_in(client, parent, wanted)["Location"] == wanted
    client.logout()
    response = sign_in(client, parent, "https://evil.example/")
    assert response["Location"] == reverse("parents:application_list")
