"""Texts the office writes (facility description, opening notes, imprint, privacy) per language."""

import pytest
from django.urls import reverse

from portal.models import PortalSettings
from tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db


def page(client, url, language) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_facility_page_shows_the_english_texts_to_english_readers(client):
    facility = FacilityFactory(
        description="Wir spielen viel draußen.",
        description_en="We play outside a lot.",
        opening_notes="Freitags bis 14 Uhr",
        opening_notes_en="Fridays until 2 pm",
    )
    url = reverse("parents:facility_detail", args=[facility.slug])
    german = page(client, url, "de")
    assert "Wir spielen viel draußen." in german
    assert "Freitags bis 14 Uhr" in german
    assert "We play outside a lot." not in german
    english = page(client, url, "en")
    assert "We play outside a lot." in english
    assert "Fridays until 2 pm" in english
    assert "Wir spielen viel draußen." not in english


def test_without_an_english_text_english_readers_get_the_german_one(client):
    facility = FacilityFactory(description="Wir spielen viel draußen.", opening_notes="Freitags bis 14 Uhr")
    english = page(client, reverse("parents:facility_detail", args=[facility.slug]), "en")
    assert "Wir spielen viel draußen." in english
    assert "Freitags bis 14 Uhr" in english


@pytest.mark.parametrize(("url_name", "field"), [("imprint", "imprint"), ("privacy", "privacy_notice")])
def test_imprint_and_privacy_notice_per_language(client, url_name, field):
    settings_row = PortalSettings.load()
    setattr(settings_row, field, "Deutscher Text")
    setattr(settings_row, f"{field}_en", "English text")
    settings_row.save()
    assert "Deutscher Text" in page(client, reverse(url_name), "de")
    english = page(client, reverse(url_name), "en")
    assert "English text" in english
    assert "Deutscher Text" not in english
    setattr(settings_row, f"{field}_en", "")
    settings_row.save()
    assert "Deutscher Text" in page(client, reverse(url_name), "en")
