"""Every door to applicant data asks for a second factor; staff sessions end when left idle."""

import datetime
import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.conftest import with_second_factor
from tests.factories import ApplicationFactory, StaffMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
SETUP = reverse("mfa_activate_totp")


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def leader(facility):
    """A facility leader with a known password and authenticator secret."""
    user = UserFactory(email="leiterin@example.org")
    user.set_password(PASSWORD)
    user.save()
    StaffMembershipFactory(user=user, facility=facility, second_factor=False)
    user.totp_secret = generate_totp_secret()
    TOTP.activate(user, user.totp_secret)
    return user


# --- the admin's door ---


def test_the_admin_login_page_is_the_portals_sign_in(client):
    response = client.get("/admin/login/?next=/admin/childcare/facility/")

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/admin/childcare/facility/"


def test_posting_a_password_to_the_admin_login_signs_nobody_in(client):
    admin = with_second_factor(UserFactory(email="root@example.org", is_staff=True, is_superuser=True))
    admin.set_password(PASSWORD)
    admin.save()

    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_the_admin_is_not_reached_with_the_password_alone(client):
    """The right password through the portal's own sign-in opens nothing: the code comes first."""
    admin = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)

    response = client.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    for page in ("/admin/", "/admin/childcare/application/", "/admin/portal/user/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url.startswith(reverse("admin:login")), page
    assert not signed_in(client)

    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("path", ["/admin/", "/verwaltung/"])
def test_a_superuser_without_a_second_factor_is_sent_to_set_one_up(client, path, in_english):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, is_municipal_office=True))

    response = client.get(path, follow=True)

    assert response.redirect_chain[0] == (SETUP, 302)
    assert "Please set up a second factor" in response.content.decode()


def test_staff_and_the_office_without_a_second_factor_reach_no_staff_page_pdf_or_export(client, facility):
    staff = StaffMembershipFactory(facility=facility, second_factor=False).user
    office = UserFactory(is_municipal_office=True)
    application = ApplicationFactory()
    application.wishes.create(facility=facility, rank=1, age_band="ue3")
    doors = [
        reverse("backoffice:facilities"),
        reverse("backoffice:waitlist", args=[facility.slug]),
        reverse("backoffice:waitlist_csv", args=[facility.slug]),
        reverse("backoffice:placements_csv"),
        reverse("letters:application_receipt_pdf", kwargs={"public_id": application.public_id}),
    ]
    for user in (staff, office):
        client.force_login(user)
        for door in doors:
            response = client.get(door)
            assert (response.status_code, response.url) == (302, SETUP), (user, door)


def test_staff_with_a_second_factor_but_a_session_that_never_used_it_are_signed_out(staff):
    client = Client()  # the plain client's force_login skips the second factor, like a stray login path
    client.force_login(staff)

    response = client.get(reverse("backoffice:facilities"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not signed_in(client)


def test_a_leader_signs_in_with_password_and_code_and_reaches_the_staff_area(client, leader):
    response = client.post(reverse("account_login"), {"login": leader.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert not signed_in(client)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(leader.totp_secret)})

    assert signed_in(client)
    assert client.get(reverse("backoffice:facilities")).status_code == 200


@pytest.mark.django_db(transaction=True)  # allauth announces the new authenticator after the commit
def test_setting_up_the_authenticator_when_asked_opens_the_staff_area(client, facility):
    staff = StaffMembershipFactory(facility=facility, second_factor=False).user
    staff.set_password(PASSWORD)
    staff.save()
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert client.get(reverse("backoffice:facilities")).url == SETUP

    client.post(reverse("account_reauthenticate") + f"?next={SETUP}", {"password": PASSWORD})
    client.get(SETUP)
    secret = client.session["mfa.totp.secret"]
    response = client.post(SETUP, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert client.get(reverse("backoffice:facilities")).status_code == 200


def test_parents_are_not_asked_for_a_second_factor(client, parent, child):
    application = ApplicationFactory(child=child)
    client.force_login(parent)

    for page in (
        reverse("parents:application_list"),
        reverse("letters:application_receipt_pdf", kwargs={"public_id": application.public_id}),
        reverse("mfa_index"),  # where they may opt in
    ):
        assert client.get(page).status_code == 200, page


# --- idle timeout ---


def test_an_idle_staff_session_ends_after_the_timeout(client, staff, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    page = reverse("backoffice:facilities")
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        client.force_login(staff)
        assert client.get(page).status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(page).status_code == 200  # activity restarts the clock
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(page).status_code == 200

        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(page)

        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
        assert not signed_in(client)


def test_the_staff_session_cookie_ends_with_the_idle_time(client, staff, settings):
    settings.STAFF_IDLE_TIMEOUT_MINUTES = 30
    client.force_login(staff)
    response = client.get(reverse("backoffice:facilities"))
    assert 30 * 60 <= response.cookies["sessionid"]["max-age"] <= 32 * 60


def test_parents_stay_signed_in_when_idle(client, parent):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False) as clock:
        client.force_login(parent)
        assert client.get(reverse("parents:application_list")).status_code == 200
        clock.shift(datetime.timedelta(hours=5))
        assert client.get(reverse("parents:application_list")).status_code == 200
        assert signed_in(client)
