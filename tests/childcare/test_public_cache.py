"""The search and facility pages keep their shared parts rendered, and never show them out of date."""

import datetime
import re
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from childcare.models import AgeBand, Concept, FacilityConcept
from portal.models import PortalSettings
from tests.factories import CapacityFactory, FacilityFactory, PlacementFactory, ProviderFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("parents:facility_search")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Berlin")), tick=False):
        yield


@pytest.fixture
def facility():
    facility = FacilityFactory(name="Kita Amsel")
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=2)
    return facility


def de(message):
    with translation.override("de"):
        return translation.gettext(message)


def free_today(html: str) -> str:
    found = re.search(r"heute (\d+) frei|(\d+) free today", html)
    return found[1] or found[2]


def test_a_repeated_search_is_served_kept_with_fewer_queries(client, facility, django_assert_num_queries):
    first = client.get(SEARCH, {"age_years": 4})
    assert first.status_code == 200
    # Only the settings row (which a process keeps too, outside a test's transaction).
    with django_assert_num_queries(1):
        second = client.get(SEARCH, {"age_years": 4})
    assert second.content.decode().count("Kita Amsel") == first.content.decode().count("Kita Amsel") > 0


def free_today_on_the_facility_page(html: str) -> str:
    return re.search(r'<th scope="row">Heute</th>\s*<td class="text-end">(\d+)</td>', html)[1]


def test_a_new_placement_shows_at_once(client, facility):
    assert free_today(client.get(SEARCH).content.decode()) == "2"
    assert free_today_on_the_facility_page(client.get(facility.get_absolute_url()).content.decode()) == "2"
    PlacementFactory(facility=facility, start_date=datetime.date(2026, 1, 1))
    assert free_today(client.get(SEARCH).content.decode()) == "1"
    assert free_today_on_the_facility_page(client.get(facility.get_absolute_url()).content.decode()) == "1"


def test_saving_a_facility_its_provider_places_or_concepts_shows_at_once(client, facility):
    client.get(SEARCH)
    client.get(facility.get_absolute_url())
    facility.name = "Kita Drossel"
    facility.save()
    assert "Kita Drossel" in client.get(SEARCH).content.decode()
    assert "Kita Drossel" in client.get(facility.get_absolute_url()).content.decode()
    provider = facility.provider
    provider.name = "Verein Neu"
    provider.save()
    assert "Verein Neu" in client.get(SEARCH).content.decode()
    FacilityConcept.objects.create(facility=facility, concept=Concept.MONTESSORI)
    assert str(Concept.MONTESSORI.label) in client.get(facility.get_absolute_url()).content.decode()
    other = FacilityFactory(name="Kita Star", provider=ProviderFactory())
    assert "Kita Star" in client.get(SEARCH).content.decode()
    other.delete()
    assert "Kita Star" not in client.get(SEARCH).content.decode()


def test_the_kept_page_is_per_language_and_per_day(client, facility):
    PlacementFactory(facility=facility, start_date=datetime.date(2026, 3, 3))  # begins tomorrow
    german = client.get(SEARCH).content.decode()
    assert free_today(german) == "2"
    client.cookies["django_language"] = "en"
    english = client.get(SEARCH).content.decode()
    assert de("Show facilities") in german
    assert "Show facilities" in english
    assert de("Show facilities") != "Show facilities"
    assert free_today(english) == "2"
    with time_machine.travel(datetime.datetime(2026, 3, 3, 10, tzinfo=ZoneInfo("Europe/Berlin")), tick=False):
        assert free_today(client.get(SEARCH).content.decode()) == "1"


def test_each_visitor_gets_an_own_csrf_token_and_the_wish_button_works(client, facility):
    from django.test import Client

    first = Client(enforce_csrf_checks=True)
    second = Client(enforce_csrf_checks=True)
    tokens = []
    for visitor in (first, second):
        html = visitor.get(SEARCH).content.decode()
        form = re.search(r'<form method="post" id="wish-form".*?</form>', html, re.S)[0]
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1])
        response = visitor.post(
            reverse("parents:wish_add", args=[facility.slug]),
            {"csrfmiddlewaretoken": tokens[-1], "next": SEARCH},
        )
        assert response.status_code == 302
        assert de("On your wish list") in visitor.get(SEARCH).content.decode()
    assert tokens[0] != tokens[1]
    # The second visitor's list does not show on the first one's page, nor the other way round.
    anonymous = Client().get(SEARCH).content.decode()
    assert de("On your wish list") not in anonymous


def test_a_visitor_with_a_full_wish_list_is_not_offered_the_button(client, facility):
    settings_row = PortalSettings.load()
    settings_row.max_wishes = 1
    settings_row.save()
    other = FacilityFactory(name="Kita Fink")
    CapacityFactory(facility=other, age_band=AgeBand.THREE_TO_SCHOOL)
    assert client.get(SEARCH).content.decode().count('formaction="/einrichtungen/merken/') == 2
    client.post(reverse("parents:wish_add", args=[other.slug]))
    html = client.get(SEARCH).content.decode()
    assert f'formaction="{reverse("parents:wish_add", args=[facility.slug])}"' not in html
    assert f'formaction="{reverse("parents:wish_remove", args=[other.slug])}"' in html


def test_without_a_reachable_cache_the_pages_are_rendered_as_before(client, facility):
    broken = mock.Mock(side_effect=ConnectionError("cache down"))
    with mock.patch.object(cache, "get", broken), mock.patch.object(cache, "set", broken):
        assert "Kita Amsel" in client.get(SEARCH).content.decode()
        assert "Kita Amsel" in client.get(facility.get_absolute_url()).content.decode()
        facility.name = "Kita Drossel"
        facility.save()  # moving the version on fails quietly
        assert "Kita Drossel" in client.get(SEARCH).content.decode()


def test_an_unknown_facility_is_a_404_and_not_kept(client):
    url = reverse("parents:facility_detail", args=["gibt-es-nicht"])
    assert client.get(url).status_code == 404
    FacilityFactory(name="Kita Neu", slug="gibt-es-nicht")
    assert client.get(url).status_code == 200
