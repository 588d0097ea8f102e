import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from childcare.models import AgeBand, Concept, FacilityConcept, FacilityLanguage, Language
from portal.models import PortalSettings
from tests.factories import CapacityFactory, FacilityFactory, OfferFactory, PlacementFactory, WishFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Berlin")), tick=False):
        yield


@pytest.fixture
def facility(db):
    facility = FacilityFactory(
        name="Kita Regenbogen",
        phone="06000 4711",
        email="regenbogen@example.org",
        website="https://kita.example",
    )
    CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=2)
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=20)
    FacilityConcept.objects.create(facility=facility, concept=Concept.MONTESSORI)
    FacilityLanguage.objects.create(facility=facility, language=Language.ENGLISH)
    PortalSettings.load()
    return facility


def de(message, **values):
    with translation.override("de"):
        return translation.gettext(message) % values if values else translation.gettext(message)


def table_rows(html):
    table = re.search(r"<table.*?</table>", html, re.S)[0]
    return [
        [
            re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def test_free_places_per_age_band_today_and_on_the_first_of_each_of_the_next_twelve_months(client, facility):
    # One U3 child until the end of May, one open U3 offer from 1 September: 2 places in all.
    PlacementFactory(
        facility=facility, age_band=AgeBand.UNDER_THREE, start_date=D(2025, 8, 1), end_date=D(2026, 6, 1)
    )
    OfferFactory(wish=WishFactory(facility=facility, age_band=AgeBand.UNDER_THREE), start_date=D(2026, 9, 1))
    PlacementFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, start_date=D(2026, 8, 1))
    response = client.get(facility.get_absolute_url())
    assert response.status_code == 200
    rows = response.context["availability"].rows
    assert [row.day for row in rows] == [
        D(2026, 3, 2),
        *(D(2026, month, 1) for month in range(4, 13)),
        *(D(2027, month, 1) for month in range(1, 4)),
    ]
    free = {row.day: row.free for row in rows}  # (U3, Ü3)
    assert free[D(2026, 3, 2)] == (1, 20)
    assert free[D(2026, 6, 1)] == (2, 20)
    assert free[D(2026, 8, 1)] == (2, 19)
    assert free[D(2026, 9, 1)] == (1, 19)
    assert free[D(2027, 3, 1)] == (1, 19)

    html = response.content.decode()
    assert "<caption>" in html
    assert html.count('<th scope="row">') == 13
    assert html.count('<th scope="col"') == 3
    table = table_rows(html)
    assert table[1] == [de("Today"), "1", "20"]
    assert table[-1] == ["März 2027", "1", "19"]


def test_facility_page_shows_facts_contact_concepts_and_languages(client, facility):
    html = client.get(facility.get_absolute_url()).content.decode()
    assert "<h1>Kita Regenbogen</h1>" in html
    assert html.count("<h1") == 1
    assert 'href="tel:06000 4711"' in html
    assert 'href="mailto:regenbogen@example.org"' in html
    assert 'href="https://kita.example"' in html
    assert "07:00–17:00" in html
    assert str(Concept.MONTESSORI.label) in html
    assert reverse("parents:facility_search") in html


def test_add_to_wishes_posts_with_csrf_and_comes_back_to_the_page(client, facility):
    url = facility.get_absolute_url()
    html = client.get(url).content.decode()
    # The button submits the page's one wish form, which carries the CSRF token and the way back.
    button = re.search(r'<button type="submit" form="wish-form"[^>]*>', html)[0]
    assert f'formaction="{reverse("parents:wish_add", args=[facility.slug])}"' in button
    form = re.search(r'<form method="post" id="wish-form".*?</form>', html, re.S)[0]
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'name="next" value="{url}"' in form
    response = client.post(reverse("parents:wish_add", args=[facility.slug]), {"next": url})
    assert response.url == url
    html = client.get(url).content.decode()
    assert de("On your wish list") in html
    assert f'formaction="{reverse("parents:wish_remove", args=[facility.slug])}"' in html
    assert f'formaction="{reverse("parents:wish_add", args=[facility.slug])}"' not in html


def test_full_wish_list_and_closed_facility_offer_no_button(client, facility):
    settings_row = PortalSettings.load()
    settings_row.max_wishes = 1
    settings_row.save()
    other = FacilityFactory()
    client.post(reverse("parents:wish_add", args=[other.slug]))
    html = client.get(facility.get_absolute_url()).content.decode()
    assert reverse("parents:wish_add", args=[facility.slug]) not in html
    closed = FacilityFactory(accepts_applications=False)
    html = client.get(closed.get_absolute_url()).content.decode()
    assert reverse("parents:wish_add", args=[closed.slug]) not in html
    assert de("This facility is not accepting applications at the moment.") in html


def test_facility_page_renders_in_english(client, facility):
    client.cookies["django_language"] = "en"
    html = client.get(facility.get_absolute_url()).content.decode()
    assert '<html lang="en">' in html
    assert "Add to my wishes" in html
    assert "March 2027" in html


@pytest.mark.parametrize("count", [1, 50])
def test_facility_page_runs_a_constant_number_of_queries(client, facility, django_assert_num_queries, count):
    for _ in range(count):
        PlacementFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, start_date=D(2025, 8, 1))
        OfferFactory(
            wish=WishFactory(facility=facility, age_band=AgeBand.UNDER_THREE), start_date=D(2026, 8, 1)
        )
    # 1 facility with provider, 3 prefetches (capacities, concepts, languages), 1 portal settings,
    # 1 stored free places of the facility.
    with django_assert_num_queries(6):
        response = client.get(facility.get_absolute_url())
    assert response.context["availability"].rows[0].free == (2, max(0, 20 - count))
