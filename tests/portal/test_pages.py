import re

import pytest
from django.urls import reverse

from childcare.models import AgeBand, FacilityType
from portal.models import PortalSettings
from tests.factories import CapacityFactory, FacilityFactory

pytestmark = pytest.mark.django_db


def test_home_links_into_the_search_by_type_with_the_number_of_active_facilities(client):
    FacilityFactory.create_batch(2, type=FacilityType.KITA)
    FacilityFactory(type=FacilityType.KRIPPE)
    FacilityFactory(type=FacilityType.HORT, is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    counts = {(kind.type, kind.count) for kind in response.context["facility_types"]}
    assert counts == {(FacilityType.KITA, 2), (FacilityType.KRIPPE, 1)}
    html = response.content.decode()
    assert f'href="{reverse("parents:facility_search")}?type=krippe"' in html
    assert "?type=hort" not in html


@pytest.mark.parametrize("count", [3, 30])
def test_home_runs_a_constant_number_of_queries(client, django_assert_num_queries, count):
    for facility in FacilityFactory.create_batch(count):
        CapacityFactory(facility=facility)
    PortalSettings.load()
    # 1 portal settings, 1 number of active facilities per type; no list of facilities
    with django_assert_num_queries(2):
        response = client.get(reverse("home"))
    assert sum(kind.count for kind in response.context["facility_types"]) == count


def test_facility_page_shows_the_facts(client):
    facility = FacilityFactory(name="Kath. Kita St. Marien", phone="06100 12345", barrier_free=True)
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=25)
    response = client.get(facility.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Kath. Kita St. Marien</h1>" in html
    assert 'href="tel:06100 12345"' in html
    assert ">25<" in html


def test_unknown_or_inactive_facility_is_404(client):
    hidden = FacilityFactory(is_active=False)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("parents:facility_detail", kwargs={"slug": "gibt-es-nicht"})).status_code == 404


def test_layout_has_skip_link_landmarks_and_german_default(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="de">' in html
    assert 'href="#main"' in html
    assert 'id="main"' in html
    assert "<nav" in html
    assert "<footer" in html
    assert 'name="viewport"' in html
    # Every stylesheet, icon and script comes from the portal itself, never a CDN. (Searching the
    # page for "cdn" also found it in one random CSRF token in a few hundred.)
    assets = re.findall(r'<(?:link|script)\b[^>]*\b(?:href|src)="([^"]+)"', html)
    assert assets
    assert all(url.startswith("/") and not url.startswith("//") for url in assets), assets


def test_language_switch_renders_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "Facilities" in html


def test_imprint_and_privacy_show_the_municipality_text(client):
    settings_row = PortalSettings.load()
    settings_row.imprint = "Stadt Beispielheim, Marktplatz 3"
    settings_row.privacy_notice = "Wir verarbeiten Ihre Daten nach DSGVO."
    settings_row.save()
    assert "Stadt Beispielheim, Marktplatz 3" in client.get(reverse("imprint")).content.decode()
    assert "nach DSGVO" in client.get(reverse("privacy")).content.decode()
    home = client.get(reverse("home")).content.decode()
    assert reverse("imprint") in home
    assert reverse("privacy") in home


def test_unknown_url_is_a_404_not_a_500(client):
    assert client.get("/gibt/es/nicht/").status_code == 404


def test_staff_see_the_staff_area_link_and_parents_do_not(client, staff, parent):
    client.force_login(parent)
    assert reverse("backoffice:facilities") not in client.get(reverse("home")).content.decode()
    client.force_login(staff)
    assert reverse("backoffice:facilities") in client.get(reverse("home")).content.decode()
