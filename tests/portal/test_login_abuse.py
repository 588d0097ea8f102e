"""Guessing passwords is slowed per client address; it cannot lock a leader out from elsewhere."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

import portal.settings as project_settings
from tests.factories import StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
ATTACKER, OFFICE = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def project_rate_limits(settings):
    """The portal's own rate limits instead of the test suite's 'off'; counters start at zero."""
    settings.ACCOUNT_RATE_LIMITS = project_settings.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def leader(facility):
    user = UserFactory(email="leiterin@example.org")
    user.set_password(PASSWORD)
    user.save()
    StaffMembershipFactory(user=user, facility=facility)
    return user


def sign_in(client, email, password, address):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address, follow=False
    )


def refused_as_too_many(response) -> bool:
    return (
        response.status_code == 200 and "Zu viele gescheiterte Anmeldeversuche" in response.content.decode()
    )


def test_the_portal_counts_failed_sign_ins_per_address_and_per_account_at_that_address():
    assert project_settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"


def test_ten_wrong_passwords_throttle_that_address_but_the_leader_signs_in_from_another(
    client, leader, project_rate_limits
):
    for _ in range(10):
        response = sign_in(client, leader.email, "wrong horse battery", ATTACKER)
        assert response.status_code == 200

    # From the attacker's address even the right password is refused now ...
    assert refused_as_too_many(sign_in(client, leader.email, PASSWORD, ATTACKER))
    # ... and so is any other account from there.
    assert refused_as_too_many(sign_in(client, "someone@example.org", "guess", ATTACKER))

    # The leader, at the office, gets past the password to the second factor.
    response = sign_in(client, leader.email, PASSWORD, OFFICE)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")


def test_the_admin_login_is_no_way_around_the_limits(client, leader, project_rate_limits):
    for _ in range(10):
        sign_in(client, leader.email, "wrong horse battery", ATTACKER)

    response = client.post(
        "/admin/login/", {"username": leader.email, "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_a_password_reset_for_an_unknown_address_sends_no_mail(client, project_rate_limits):
    response = client.post(reverse("account_reset_password"), {"email": "stranger@example.org"})

    assert response.status_code == 302  # the same answer as for a known address: nothing is revealed
    assert mail.outbox == []
