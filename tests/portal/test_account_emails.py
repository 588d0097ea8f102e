"""allauth's account e-mails and confirmation pages in the portal's own voice and name."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.urls import reverse

from portal.models import PortalSettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Ein-sicheres-Passwort-2026"
ALLAUTH_DEFAULTS = [
    "Eine Nachricht von",
    "Hello from",
    "testserver!",
    "Thank you for using",
    "Vielen Dank, dass",
]


@pytest.fixture(autouse=True)
def portal_name():
    settings_row = PortalSettings.load()
    settings_row.portal_name = "Kitaportal"
    settings_row.municipality_name = "Beispielheim"
    settings_row.contact_email = "kita@beispielheim.example"
    settings_row.save()


def sign_up(client, language, email="neu@example.org"):
    client.cookies["django_language"] = language
    client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    [message] = mail.outbox
    return message


@pytest.mark.parametrize(
    ("language", "own_words"),
    [
        ("de", ["Guten Tag,", "bestätigen Sie", "Ihr Team vom Kitaportal, Beispielheim"]),
        ("en", ["Hello,", "please confirm your e-mail address", "Your Kitaportal team, Beispielheim"]),
    ],
)
def test_the_signup_mail_carries_the_portal_name_and_the_portals_voice(client, language, own_words):
    message = sign_up(client, language)
    assert "Kitaportal Beispielheim" in message.subject
    assert "Kitaportal Beispielheim" in message.body
    assert "kita@beispielheim.example" in message.body
    assert re.search(r"https?://testserver/konto/confirm-email/\S+", message.body)
    for words in own_words:
        assert words in message.body or words in message.subject, words
    for default in ALLAUTH_DEFAULTS:
        assert default not in message.body


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_second_address_gets_the_confirmation_mail_in_the_portals_voice(client, language):
    user = UserFactory(email="eltern@example.org")
    client.force_login(user)
    client.cookies["django_language"] = language
    client.post(reverse("account_email"), {"action_add": "", "email": "zweite@example.org"})
    [message] = mail.outbox
    assert message.to == ["zweite@example.org"]
    assert "Kitaportal Beispielheim" in message.subject
    assert "Kitaportal Beispielheim" in message.body
    for default in ALLAUTH_DEFAULTS:
        assert default not in message.body


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Ihre E-Mail-Adresse für Kitaportal Beispielheim"),
        ("en", "your e-mail address for Kitaportal Beispielheim"),
    ],
)
def test_the_confirm_page_names_the_portal_and_not_a_user_of_itself(client, language, text):
    address = EmailAddress.objects.create(user=UserFactory(), email="neu@example.org", verified=False)
    client.cookies["django_language"] = language
    html = client.get(reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])).content
    html = html.decode()
    assert text in html
    assert "neu@example.org" in html
    assert "ist eine E-Mail-Adresse von" not in html
    assert "is an email address for user" not in html
