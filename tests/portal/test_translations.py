"""German is the default language and addresses parents formally; English stays complete.

The catalogue checks read the .po files with a small parser (polib is not installed) and load the
compiled .mo files with the standard library, so they also catch a forgotten ``compilemessages``.
"""

import ast
import gettext
import re
from pathlib import Path

import allauth
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

DE_PO = settings.BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"
EN_PO = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
OVERRIDES_PO = settings.BASE_DIR / "locale_overrides" / "de" / "LC_MESSAGES" / "django.po"
ALLAUTH_DE_PO = Path(allauth.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
CATALOGUES = [DE_PO, EN_PO, OVERRIDES_PO]

# Informal "du" forms, matched as whole words, that a text addressing parents formally must not contain.
INFORMAL = re.compile(r"\b(du|Du|dein\w*|Dein\w*|dich|dir|Dir|bist|Bist)\b")
PASSWORD = "Sonnenblume-2026"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def parse_po(path):
    """Entries of a .po file as dicts: flags, msgctxt, msgid, msgid_plural, msgstr (index -> text)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}}
        field = None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                field = None
            elif line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                text = ast.literal_eval(line)
                if isinstance(field, int):
                    entry["msgstr"][field] += text
                elif field:
                    entry[field] += text
            else:
                keyword, _, value = line.partition(" ")
                text = ast.literal_eval(value)
                index = re.fullmatch(r"msgstr(?:\[(\d)\])?", keyword)
                if index:
                    field = int(index.group(1) or 0)
                    entry["msgstr"][field] = text
                else:
                    field = keyword
                    entry[field] = text
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


def translated(entries):
    return [entry for entry in entries if entry["msgid"]]


def load_mo(po_path):
    with po_path.with_suffix(".mo").open("rb") as handle:
        return gettext.GNUTranslations(handle)


def page_text(response):
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Rendered pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_is_german_by_default(client):
    html = client.get(reverse("home")).content.decode()
    assert "Zum Hauptinhalt springen" in html
    for label in ("Anmelden", "Registrieren", "Einrichtungen", "Impressum", "Datenschutz"):
        assert label in html
    assert "Skip to main content" not in html


@pytest.mark.django_db
def test_home_page_in_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "Skip to main content" in html
    assert "Sign in" in html
    assert "Register" in html
    assert "Zum Hauptinhalt springen" not in html


@pytest.mark.django_db
def test_login_page_in_german_is_formal(client):
    text = page_text(client.get(reverse("account_login")))
    assert "Sie haben noch kein Konto?" in text
    assert "registrieren Sie sich" in text
    assert "Du hast" not in text
    assert " du " not in text
    assert not INFORMAL.findall(text)
    assert "Anmeldung" not in text  # allauth's own wording for "Sign In"


@pytest.mark.django_db
def test_login_page_in_english_keeps_allauth_wording(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = page_text(client.get(reverse("account_login")))
    assert "If you have not created an account yet" in text
    assert "Sign In" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("account_signup", "Sie haben bereits ein Konto?"),
        ("account_reset_password", "Geben Sie unten Ihre E-Mail-Adresse ein."),
        ("account_reset_password_done", "Wir haben Ihnen eine E-Mail geschickt."),
        ("account_email_verification_sent", "Öffnen Sie den Link"),
    ],
)
def test_anonymous_account_pages_in_german_are_formal(client, url_name, expected):
    text = page_text(client.get(reverse(url_name)))
    assert expected in text
    assert not INFORMAL.findall(text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("account_logout", "Möchten Sie sich wirklich abmelden?"),
        ("account_email", "E-Mail-Adressen"),
        ("account_change_password", "Aktuelles Passwort"),
        ("mfa_index", "Zwei-Faktor-Authentifizierung"),
    ],
)
def test_signed_in_account_pages_in_german_are_formal(client, parent, url_name, expected):
    client.force_login(parent)
    text = page_text(client.get(reverse(url_name)))
    assert expected in text
    assert not INFORMAL.findall(text)


@pytest.mark.django_db
def test_password_reset_email_in_german_is_formal(client, parent):
    client.post(reverse("account_reset_password"), {"email": parent.email})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Sie erhalten diese E-Mail" in message.body
    assert "Ihr Team vom Kita-Portal, Musterstadt" in message.body
    assert not INFORMAL.findall(message.subject + message.body)


@pytest.mark.django_db
def test_signup_verification_email_in_german_is_formal(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "neue.familie@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.endswith("Bitte bestätigen Sie Ihre E-Mail-Adresse")
    assert not INFORMAL.findall(message.subject + message.body)


@pytest.mark.django_db
def test_existing_account_signup_email_in_german_is_formal(client):
    UserFactory(email="schon.da@example.org")
    client.post(
        reverse("account_signup"),
        {"email": "schon.da@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Für diese E-Mail-Adresse gibt es aber bereits ein Konto." in message.body
    assert not INFORMAL.findall(message.subject + message.body)


# --- Catalogues ----------------------------------------------------------------------------------


def test_german_catalogue_is_complete_and_has_no_fuzzy_entries():
    entries = parse_po(DE_PO)
    assert len(translated(entries)) > 250
    untranslated = [e["msgid"] for e in translated(entries) if not all(e["msgstr"].values())]
    assert untranslated == []
    assert "#, fuzzy" not in DE_PO.read_text(encoding="utf-8")
    assert not any("fuzzy" in e["flags"] for e in entries)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_catalogue_headers(path):
    entries = parse_po(path)
    headers = [e for e in entries if e["msgid"] == ""]
    assert len(headers) == 1
    header = headers[0]["msgstr"][0]
    language = path.parent.parent.name
    assert f"Language: {language}\n" in header
    assert "Content-Type: text/plain; charset=UTF-8\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header
    assert "fuzzy" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_translations_keep_placeholders(path):
    for entry in translated(parse_po(path)):
        for index, text in entry["msgstr"].items():
            if not text:
                continue
            source = entry["msgid_plural"] if index and entry["msgid_plural"] else entry["msgid"]
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), entry["msgid"]


def test_german_catalogue_uses_the_glossary():
    by_msgid = {(e["msgctxt"], e["msgid"]): e["msgstr"] for e in parse_po(DE_PO)}
    assert by_msgid[(None, "provider")][0] == "Träger"
    assert by_msgid[(None, "age band")][0] == "Altersgruppe"
    assert by_msgid[(None, "Under 3 (U3)")][0] == "Unter 3 Jahren (U3)"
    assert by_msgid[(None, "3 to school entry (Ü3)")][0] == "3 Jahre bis Schuleintritt (Ü3)"
    assert by_msgid[(None, "School age (Hort)")][0] == "Schulkinder (Hort)"
    assert by_msgid[(None, "municipal office")][0] == "Fachbereich Kinderbetreuung"
    assert by_msgid[("wish status", "On the waitlist")][0] == "Auf der Warteliste"
    for msgstr in by_msgid.values():
        for text in msgstr.values():
            assert not INFORMAL.findall(text), text


def test_overrides_are_formal_and_match_allauth_msgids():
    allauth_keys = {(e["msgctxt"], e["msgid"]) for e in parse_po(ALLAUTH_DE_PO)}
    overrides = translated(parse_po(OVERRIDES_PO))
    assert len(overrides) > 30
    for entry in overrides:
        # A msgid allauth no longer has (after an upgrade) would silently stop overriding anything.
        assert (entry["msgctxt"], entry["msgid"]) in allauth_keys, entry["msgid"]
        assert entry["msgstr"][0], entry["msgid"]
        assert not INFORMAL.findall(entry["msgstr"][0]), entry["msgstr"][0]


def test_overrides_folder_is_on_the_locale_path():
    assert settings.LOCALE_PATHS == [settings.BASE_DIR / "locale", settings.BASE_DIR / "locale_overrides"]


def test_compiled_german_catalogue_translates_known_strings():
    catalogue = load_mo(DE_PO)
    assert catalogue.gettext("Facilities") == "Einrichtungen"
    assert catalogue.gettext("Skip to main content") == "Zum Hauptinhalt springen"
    assert catalogue.pgettext("application status", "Draft") == "Entwurf"
    assert catalogue.ngettext("%(hours)s hour per week", "%(hours)s hours per week", 1) == (
        "%(hours)s Stunde pro Woche"
    )
    assert catalogue.ngettext("%(hours)s hour per week", "%(hours)s hours per week", 35) == (
        "%(hours)s Stunden pro Woche"
    )


def test_compiled_overrides_translate_known_strings():
    catalogue = load_mo(OVERRIDES_PO)
    assert catalogue.gettext("Sign In") == "Anmelden"
    assert catalogue.gettext("Are you sure you want to sign out?") == "Möchten Sie sich wirklich abmelden?"


@pytest.mark.parametrize("path", [DE_PO, OVERRIDES_PO], ids=["locale/de", "locale_overrides/de"])
def test_compiled_catalogue_matches_the_po_file(path):
    """Every translation in the .po is in the .mo: catches an edit without compilemessages."""
    catalogue = load_mo(path)
    for entry in translated(parse_po(path)):
        context, msgid = entry["msgctxt"], entry["msgid"]
        if entry["msgid_plural"]:
            for count, index in ((1, 0), (2, 1)):
                assert catalogue.ngettext(msgid, entry["msgid_plural"], count) == entry["msgstr"][index]
        elif context:
            assert catalogue.pgettext(context, msgid) == entry["msgstr"][0], msgid
        else:
            assert catalogue.gettext(msgid) == entry["msgstr"][0], msgid
