"""Sign-up, sign-in, verification, password reset and 2FA through allauth, in the portal layout."""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from portal.adapters import current_user_language
from portal.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a fresh kettle of fish"


@pytest.fixture
def allauth_rate_limits(settings):
    """allauth's own default rate limits instead of the test suite's 'off'; counters start at zero."""
    del settings.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


def sign_in(client, email, password=PASSWORD):
    """Sign in through the form, as a person would."""
    return client.post(reverse("account_login"), {"login": email, "password": password})


def reauthenticate(client, password=PASSWORD):
    """Confirm the password again: allauth asks for it before security settings change, even right
    after signing in."""
    return client.post(reverse("account_reauthenticate"), {"password": password})


def is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


def sign_up(client, email, password=NEW_PASSWORD):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password}
    )


def link_in(message) -> str:
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


class _FormControls(HTMLParser):
    """Collects the ids of visible inputs and the ids that labels point at."""

    def __init__(self):
        super().__init__()
        self.inputs, self.labelled = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"input", "textarea", "select"} and attrs.get("type") not in {"hidden", "submit"}:
            self.inputs.append(attrs.get("id"))
        if tag == "label":
            self.labelled.add(attrs.get("for"))


def unlabelled_inputs(html: str) -> list:
    controls = _FormControls()
    controls.feed(html)
    return [input_id for input_id in controls.inputs if input_id not in controls.labelled]


def confirm_email_url(user) -> str:
    address = EmailAddress.objects.create(user=user, email="neu@example.org", verified=False)
    return reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])


def reset_password_url(user) -> str:
    key = default_token_generator.make_token(user)
    return reverse("account_reset_password_from_key", args=[user_pk_to_url_str(user), key])


# (url name, signed in?, how to build the URL for the signed-in or any user)
PAGES = [
    ("account_login", False, None),
    ("account_signup", False, None),
    ("account_email_verification_sent", False, None),
    ("account_confirm_email", False, confirm_email_url),
    ("account_reset_password", False, None),
    ("account_reset_password_done", False, None),
    ("account_reset_password_from_key", False, reset_password_url),
    ("account_reset_password_from_key_done", False, None),
    ("account_change_password", True, None),
    ("account_email", True, None),
    ("account_logout", True, None),
    ("account_reauthenticate", True, None),
    ("mfa_index", True, None),
    ("mfa_activate_totp", True, None),
]


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize(("url_name", "signed_in", "build_url"), PAGES)
def test_account_page_renders_in_portal_layout(client, parent, language, url_name, signed_in, build_url):
    if language != "de":
        client.cookies["django_language"] = language
    if signed_in:
        sign_in(client, parent.email)
        reauthenticate(client)
    url = build_url(parent) if build_url else reverse(url_name)

    response = client.get(url, follow=True)

    assert response.status_code == 200
    # The reset link first stores its key in the session and redirects; the page we wanted is the last.
    assert response.resolver_match.url_name == url_name
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'id="main"' in html
    assert html.count("<h1") == 1
    assert unlabelled_inputs(html) == []


def test_pages_speak_german_unless_asked_otherwise(client):
    html = client.get(reverse("account_login")).content.decode()

    assert '<html lang="de">' in html
    assert "Passwort vergessen?" in html
    assert "Forgot your password?" not in html


def test_signup_page_is_english_with_the_language_cookie(client):
    client.cookies["django_language"] = "en"

    html = client.get(reverse("account_signup")).content.decode()

    assert '<html lang="en">' in html
    assert "Sign Up" in html
    assert "Registrieren" not in html


def test_signup_asks_for_email_and_password_but_no_username(client):
    response = client.get(reverse("account_signup"))

    assert list(response.context["form"].fields) == ["email", "password1", "password2"]
    assert 'name="username"' not in response.content.decode()


def test_signup_creates_an_account_that_cannot_sign_in_before_verifying(client):
    response = sign_up(client, "neu@example.org")

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email="neu@example.org").exists()
    assert not is_signed_in(client)

    response = sign_in(client, "neu@example.org", NEW_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not is_signed_in(client)


def test_signup_sends_one_verification_mail_with_a_confirm_link(client):
    sign_up(client, "neu@example.org")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["neu@example.org"]
    assert link_in(mail.outbox[0]).startswith("/konto/confirm-email/")


def test_confirm_link_shows_a_page_and_confirming_verifies_and_signs_in(client):
    sign_up(client, "neu@example.org")
    link = link_in(mail.outbox[0])

    response = client.get(link)

    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert not EmailAddress.objects.get(email="neu@example.org").verified

    response = client.post(link)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="neu@example.org").verified
    assert is_signed_in(client)
    assert client.session[SESSION_KEY] == str(User.objects.get(email="neu@example.org").pk)


@pytest.mark.parametrize("language", ["de", "en"])
def test_signup_remembers_the_language_it_happened_in(client, language):
    client.cookies["django_language"] = language

    sign_up(client, "neu@example.org")

    assert User.objects.get(email="neu@example.org").language == language


@pytest.mark.parametrize(("active", "stored"), [("en-gb", "en"), ("de", "de"), ("fr", "de")])
def test_user_language_is_one_we_offer(active, stored):
    with translation.override(active):
        assert current_user_language() == stored


def test_signup_with_a_known_address_in_other_case_makes_no_second_account(client, parent):
    response = sign_up(client, "PARENT@example.org")

    # allauth does not tell a stranger that the address is taken; it tells the owner by mail.
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="parent@example.org").count() == 1
    assert [message.to for message in mail.outbox] == [["parent@example.org"]]
    assert not is_signed_in(client)


@pytest.mark.parametrize("length", [255, 320])
def test_signup_with_a_too_long_address_is_refused_on_the_form_every_time(client, length, in_english):
    email = "a" * (length - len("@example.org")) + "@example.org"
    for _attempt in range(2):
        response = sign_up(client, email)
        assert response.status_code == 200
        assert "This e-mail address is too long: at most 254 characters." in response.content.decode()
    assert not User.objects.exists()
    assert not EmailAddress.objects.exists()
    assert not mail.outbox


def test_signup_with_the_longest_allowed_address_works(client):
    email = "a" * (254 - len("@example.org")) + "@example.org"
    assert sign_up(client, email).status_code == 302
    assert User.objects.get().email == email


def test_signin_with_the_right_password_signs_in(client, parent):
    response = sign_in(client, parent.email)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(parent.pk)


def test_signin_with_a_wrong_password_shows_an_error_and_does_not_sign_in(client, parent):
    response = sign_in(client, parent.email, "wrong horse battery")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    html = response.content.decode()
    assert 'class="alert alert-danger" role="alert"' in html
    assert not is_signed_in(client)


def test_field_errors_are_marked_and_tied_to_their_input(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "neu@example.org", "password1": NEW_PASSWORD, "password2": "something else entirely"},
    )

    html = response.content.decode()
    password2 = re.search(r"<input[^>]*name=\"password2\"[^>]*>", html).group(0)
    assert "is-invalid" in password2
    assert 'aria-invalid="true"' in password2
    assert 'aria-describedby="id_password2_error"' in password2
    assert 'id="id_password2_error" class="invalid-feedback"' in html


def test_password_reset_mail_link_sets_a_new_password(client, parent):
    response = client.post(reverse("account_reset_password"), {"email": parent.email})

    assert response.url == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [parent.email]
    set_password_page = client.get(link_in(mail.outbox[0]), follow=True)
    assert set_password_page.status_code == 200

    response = client.post(
        set_password_page.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.url == reverse("account_reset_password_from_key_done")
    client.logout()
    sign_in(client, parent.email, PASSWORD)
    assert not is_signed_in(client)
    sign_in(client, parent.email, NEW_PASSWORD)
    assert is_signed_in(client)


def test_a_reset_link_works_only_once(client, parent):
    client.post(reverse("account_reset_password"), {"email": parent.email})
    link = link_in(mail.outbox[0])
    page = client.get(link, follow=True)
    client.post(page.request["PATH_INFO"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    response = client.get(link, follow=True)

    assert response.context["token_fail"]
    assert "password1" not in response.content.decode()


def test_repeated_failed_signins_for_one_address_get_blocked(client, parent, allauth_rate_limits):
    for _ in range(5):
        response = sign_in(client, parent.email, "wrong horse battery")
        assert "Zu viele" not in response.content.decode()

    # Even the right password is refused now: the limit is per address, not per guess.
    response = sign_in(client, parent.email, PASSWORD)

    assert response.status_code == 200
    assert "Zu viele gescheiterte Anmeldeversuche" in response.content.decode()
    assert not is_signed_in(client)


def test_signed_in_user_can_open_the_authenticator_app_setup_after_confirming_the_password(client, parent):
    sign_in(client, parent.email)

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))

    response = client.post(response.url, {"password": PASSWORD})

    assert response.url == reverse("mfa_activate_totp")
    response = client.get(response.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'name="code"' in html


def test_account_settings_need_a_signed_in_user(client):
    response = client.get(reverse("account_email"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_settings_navigation_marks_the_current_page(client, parent):
    sign_in(client, parent.email)

    page = reverse("account_change_password")

    html = client.get(page).content.decode()

    assert f'<a href="{page}" class="nav-link active" aria-current="page">' in html
    assert f'<a href="{reverse("mfa_index")}" class="nav-link">' in html
