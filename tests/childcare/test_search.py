import datetime
import json
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from childcare.facilities.geo import LocationError, haversine_km, resolve_location
from childcare.facilities.search import add_months
from childcare.models import (
    AgeBand,
    Concept,
    FacilityConcept,
    FacilityLanguage,
    FacilityType,
    Language,
    ProviderKind,
)
from portal.models import PortalSettings
from tests.factories import (
    CapacityFactory,
    FacilityFactory,
    OfferFactory,
    PlacementFactory,
    ProviderFactory,
    WishFactory,
)

D = datetime.date
TODAY = D(2026, 3, 2)
NEXT_AUGUST = D(2026, 8, 1)
URL = reverse("parents:facility_search")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Berlin")), tick=False):
        yield


@pytest.fixture
def portal(db):
    return PortalSettings.load()


def de(message, plural=None, count=None, **values):
    """A message as German visitors see it, whether or not it has been translated yet."""
    with translation.override("de"):
        text = translation.ngettext(message, plural, count) if plural else translation.gettext(message)
    return text % values if values else text


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def names(response):
    return [result.facility.name for result in response.context["page_obj"]]


def kita(name, *, places=None, **fields):
    """A facility with capacities given as {age band: places}."""
    facility = FacilityFactory(name=name, **fields)
    for age_band, count in (places or {AgeBand.UNDER_THREE: 10, AgeBand.THREE_TO_SCHOOL: 20}).items():
        CapacityFactory(facility=facility, age_band=age_band, places=count)
    return facility


# --- the page --------------------------------------------------------------------------------------


def test_search_lists_active_facilities_by_name_without_login(client, portal):
    kita("Kita Zaunkönig")
    kita("Kita Amsel")
    kita("Geschlossene Kita", is_active=False)
    response = search(client)
    assert names(response) == ["Kita Amsel", "Kita Zaunkönig"]
    html = response.content.decode()
    assert '<form method="get" action="/einrichtungen/" role="search"' in html
    assert html.count("<h1") == 1
    assert 'aria-live="polite"' in html
    assert de("%(counter)s facility found", "%(counter)s facilities found", 2, counter=2) in html


def test_checkbox_groups_are_fieldsets_with_legends_and_every_field_has_a_label(client, portal):
    html = search(client).content.decode()
    for group in ("type", "provider", "concept", "language"):
        assert re.search(rf'<fieldset[^>]*>\s*<legend[^>]*>[^<]+</legend>.*?id="id_{group}_0"', html, re.S)
    for field in (
        "birth_date",
        "age_years",
        "age_months",
        "start",
        "hours",
        "near",
        "opens_by",
        "closes_after",
    ):
        assert f'for="id_{field}"' in html
        assert f'id="id_{field}"' in html


def test_search_page_renders_in_english(client, portal):
    kita("Kita Amsel")
    client.cookies["django_language"] = "en"
    html = search(client).content.decode()
    assert '<html lang="en">' in html
    assert "1 facility found" in html
    assert "Find a daycare place" in html


# --- age band and start --------------------------------------------------------------------------


def test_birth_date_selects_facilities_with_places_for_the_age_band_at_the_start(client, portal):
    kita("Krippe Klein", places={AgeBand.UNDER_THREE: 10})
    kita("Kindergarten Groß", places={AgeBand.THREE_TO_SCHOOL: 20})
    kita("Kita Voll belegt", places={AgeBand.UNDER_THREE: 0, AgeBand.THREE_TO_SCHOOL: 5})
    # Two on 1 August 2026: under three at the start.
    response = search(client, birth_date="2024-05-10")
    assert names(response) == ["Krippe Klein"]
    assert response.context["search"].age_band == AgeBand.UNDER_THREE
    # Three on 1 August 2026, though two today.
    response = search(client, birth_date="2023-07-01")
    assert names(response) == ["Kindergarten Groß", "Kita Voll belegt"]
    assert response.context["search"].age_band == AgeBand.THREE_TO_SCHOOL


def test_age_in_years_and_months_counts_back_from_today(client, portal):
    kita("Krippe Klein", places={AgeBand.UNDER_THREE: 10})
    kita("Kindergarten Groß", places={AgeBand.THREE_TO_SCHOOL: 20})
    assert names(search(client, age_years=1, age_months=6)) == ["Krippe Klein"]
    # Two years and eight months today is three by the start in August.
    assert names(search(client, age_years=2, age_months=8)) == ["Kindergarten Groß"]
    assert names(search(client, age_years=2, start="2026-04-01")) == ["Krippe Klein"]


def test_start_defaults_to_the_next_daycare_year_of_the_municipality(client, portal):
    assert search(client).context["search"].start == NEXT_AUGUST
    portal.year_start_month, portal.year_start_day = 9, 15
    portal.save()
    assert search(client).context["search"].start == D(2026, 9, 15)
    assert portal.next_year_start(D(2026, 9, 16)) == D(2027, 9, 15)


def test_school_calendar_of_the_municipality_decides_the_age_band(client, portal):
    kita("Kindergarten Groß", places={AgeBand.THREE_TO_SCHOOL: 20})
    kita("Hort Schule", places={AgeBand.SCHOOL: 20})
    # Turns six on 15 July 2026: after the default cut-off (30 June), so still Ü3 on 1 August.
    assert names(search(client, birth_date="2020-07-15")) == ["Kindergarten Groß"]
    portal.school_cutoff_month, portal.school_cutoff_day = 9, 30
    portal.save()
    assert names(search(client, birth_date="2020-07-15")) == ["Hort Schule"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"birth_date": "2027-03-03"},
            "birth_date",
            "The date of birth can be at most 12 months in the future.",
        ),
        ({"birth_date": "2014-03-01"}, "birth_date", "The date of birth can be at most 12 years ago."),
        (
            {"birth_date": "2026-10-01", "start": "2026-08-01"},
            "start",
            "The desired start is before the date of birth.",
        ),
        ({"start": "2026-03-01"}, "start", "The desired start lies in the past."),
        ({"start": "2029-03-03"}, "start", "The desired start can be at most three years ahead."),
        (
            {"birth_date": "2024-01-01", "age_years": 2},
            "age_years",
            "Enter either the date of birth or the age, not both.",
        ),
        ({"sort": "distance"}, "near", "Enter your postcode to sort by distance."),
    ],
)
def test_implausible_dates_are_form_errors_with_a_summary(client, portal, params, field, message):
    kita("Kita Amsel")
    response = search(client, **params)
    form = response.context["form"]
    assert form.errors[field] == [de(message)]
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f'href="#id_{field}"' in html
    assert response.context["page_obj"].object_list == []


# --- other filters -------------------------------------------------------------------------------


def test_care_scope_and_opening_hours(client, portal):
    kita("Kita Halbtags", max_care_hours=30, opens_at=datetime.time(8), closes_at=datetime.time(13))
    kita("Kita Ganztags", max_care_hours=45, opens_at=datetime.time(7), closes_at=datetime.time(17))
    kita("Kita Spät", max_care_hours=45, opens_at=datetime.time(9), closes_at=datetime.time(19))
    assert names(search(client, hours=35)) == ["Kita Ganztags", "Kita Spät"]
    assert names(search(client, opens_by="07:30")) == ["Kita Ganztags"]
    assert names(search(client, closes_after="17:00")) == ["Kita Ganztags", "Kita Spät"]
    assert names(search(client, hours=30, opens_by="08:00", closes_after="13:00")) == [
        "Kita Ganztags",
        "Kita Halbtags",
    ]


def test_type_provider_concept_language_and_barrier_free(client, portal):
    montessori = kita(
        "Montessori-Kinderhaus",
        type=FacilityType.KINDERGARTEN,
        provider=ProviderFactory(kind=ProviderKind.NON_PROFIT),
        barrier_free=True,
    )
    FacilityConcept.objects.create(facility=montessori, concept=Concept.MONTESSORI)
    FacilityLanguage.objects.create(facility=montessori, language=Language.ENGLISH)
    wald = kita("Waldkindergarten", type=FacilityType.KINDERGARTEN)
    FacilityConcept.objects.create(facility=wald, concept=Concept.FOREST)
    FacilityConcept.objects.create(facility=wald, concept=Concept.NATURE)
    FacilityLanguage.objects.create(facility=wald, language=Language.GERMAN)
    kita("Städtische Krippe", type=FacilityType.KRIPPE)

    assert names(search(client, type="kindergarten")) == ["Montessori-Kinderhaus", "Waldkindergarten"]
    assert names(search(client, type=["krippe", "kindergarten"])) == [
        "Montessori-Kinderhaus",
        "Städtische Krippe",
        "Waldkindergarten",
    ]
    assert names(search(client, provider="non_profit")) == ["Montessori-Kinderhaus"]
    # Any of the ticked concepts, each facility once although the forest kindergarten has both.
    assert names(search(client, concept=["forest", "nature", "montessori"])) == [
        "Montessori-Kinderhaus",
        "Waldkindergarten",
    ]
    assert names(search(client, language="en")) == ["Montessori-Kinderhaus"]
    assert names(search(client, barrier_free="on")) == ["Montessori-Kinderhaus"]
    assert names(search(client, type="kindergarten", concept="nature")) == ["Waldkindergarten"]


def test_filters_live_in_the_url_and_reopen_the_more_filters_section(client, portal):
    kita("Kita Amsel")
    html = search(client, concept="montessori").content.decode()
    assert re.search(r"<details[^>]*\bopen\b", html)
    assert re.search(
        r'id="id_concept_\d+"[^>]*value="montessori"[^>]*checked|value="montessori"[^>]*checked', html
    )
    assert not re.search(r"<details[^>]*\bopen\b", search(client).content.decode())


# --- free places ---------------------------------------------------------------------------------


def test_free_places_now_and_at_start_count_placements_and_open_offers(client, portal):
    voll = kita("Kita Voll", places={AgeBand.UNDER_THREE: 1})
    PlacementFactory(facility=voll, age_band=AgeBand.UNDER_THREE, start_date=D(2025, 8, 1))
    wechsel = kita("Kita Wechsel", places={AgeBand.UNDER_THREE: 1})
    # Taken today, free from the start: the child leaves on 1 August.
    PlacementFactory(
        facility=wechsel, age_band=AgeBand.UNDER_THREE, start_date=D(2025, 8, 1), end_date=NEXT_AUGUST
    )
    angebot = kita("Kita Angebot", places={AgeBand.UNDER_THREE: 2})
    # An open offer holds its place from its start date on; a declined one holds nothing.
    OfferFactory(wish=WishFactory(facility=angebot, age_band=AgeBand.UNDER_THREE), start_date=D(2026, 6, 1))
    OfferFactory(
        wish=WishFactory(facility=angebot, age_band=AgeBand.UNDER_THREE),
        start_date=D(2026, 6, 1),
        status="declined",
    )
    response = search(client, age_years=1, free_at_start="on")
    results = {result.facility.name: result for result in response.context["page_obj"]}
    assert sorted(results) == ["Kita Angebot", "Kita Wechsel"]
    assert (results["Kita Wechsel"].free_now, results["Kita Wechsel"].free_at_start) == (0, 1)
    assert (results["Kita Angebot"].free_now, results["Kita Angebot"].free_at_start) == (2, 1)
    html = response.content.decode()
    assert de("%(free)s free today", free=0) in html
    assert de("%(free)s free on %(date)s", free=1, date="01.08.2026") in html
    assert names(search(client, age_years=1)) == ["Kita Angebot", "Kita Voll", "Kita Wechsel"]


def test_free_places_filter_without_age_takes_any_band(client, portal):
    kita("Kita Ü3 frei", places={AgeBand.UNDER_THREE: 0, AgeBand.THREE_TO_SCHOOL: 1})
    voll = kita("Kita Voll", places={AgeBand.THREE_TO_SCHOOL: 1})
    PlacementFactory(facility=voll, start_date=D(2025, 8, 1))
    assert names(search(client, free_at_start="on")) == ["Kita Ü3 frei"]


# --- distance ------------------------------------------------------------------------------------


@pytest.fixture
def three_places(portal):
    kita("Kita Zentrum", postcode="63000", latitude=Decimal("50.050000"), longitude=Decimal("8.690000"))
    kita("Kita Ost", postcode="63001", latitude=Decimal("50.050000"), longitude=Decimal("8.720000"))
    kita("Kita Anfang", postcode="63002", latitude=Decimal("50.100000"), longitude=Decimal("8.690000"))


def test_postcode_sorts_by_distance_from_its_facilities_centre(client, three_places):
    response = search(client, near="63000")
    assert names(response) == ["Kita Zentrum", "Kita Ost", "Kita Anfang"]
    distances = [round(result.distance_km, 1) for result in response.context["page_obj"]]
    assert distances == [0.0, 2.1, 5.6]
    html = response.content.decode()
    assert de("%(distance)s km away", distance="2,1") in html
    assert (
        de("Distances as the crow flies from the centre of postcode %(postcode)s", postcode="63000") in html
    )
    assert names(search(client, near="63000", sort="name")) == ["Kita Anfang", "Kita Ost", "Kita Zentrum"]


def test_pages_by_distance_are_the_town_wide_order_near_and_far(client, portal):
    # Facilities from next door to 150 km away: some pages lie inside the first circle looked
    # in, some need a wider one, the last ones the whole town.
    for number in range(210):
        offset = Decimal(number * number) / Decimal(30000)
        kita(f"Kita {number:03d}", latitude=Decimal("50.05") + offset, longitude=Decimal("8.69") + offset / 2)
    pages = [names(search(client, near="50.05, 8.69", page=page)) for page in range(1, 12)]
    assert [name for page in pages for name in page] == [f"Kita {number:03d}" for number in range(210)]


def test_a_circle_too_small_for_the_page_costs_one_query_not_three(client, portal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Ten facilities within a kilometre, two hundred 3 to 6 km away: the first circle looked in
    # (1.5 km) holds half of the first page, the second (6 km) all of it.
    for number in range(10):
        kita(
            f"Nah {number:02d}", latitude=Decimal("50.05") + Decimal(number) / 2000, longitude=Decimal("8.69")
        )
    for number in range(200):
        kita(
            f"Fern {number:03d}",
            latitude=Decimal("50.08") + Decimal(number) / 10000,
            longitude=Decimal("8.69"),
        )
    with CaptureQueriesContext(connection) as queries:
        response = search(client, near="50.05, 8.69")
    assert names(response) == [f"Nah {n:02d}" for n in range(10)] + [f"Fern {n:03d}" for n in range(10)]
    statements = [query["sql"] for query in queries]
    capacities = [sql for sql in statements if 'FROM "childcare_capacity" WHERE' in sql]
    concepts = [sql for sql in statements if 'FROM "childcare_facilityconcept" WHERE' in sql]
    assert len(capacities) == len(concepts) == 1  # for the circle that held the page only


def test_coordinates_and_an_address_with_postcode_work_as_a_start_point(client, three_places):
    assert names(search(client, near="50.1, 8.69", sort="distance"))[0] == "Kita Anfang"
    assert names(search(client, near="Ostring 3, 63001 Musterstadt"))[0] == "Kita Ost"


def test_distance_is_shown_in_english_with_a_decimal_point(client, three_places):
    client.cookies["django_language"] = "en"
    assert "2.1 km away" in search(client, near="63000").content.decode()


def test_unknown_postcode_is_a_form_error_naming_the_municipality(client, three_places):
    response = search(client, near="12345", sort="distance")
    assert response.context["form"].errors["near"] == [
        de(
            "The postcode %(postcode)s is not known in %(municipality)s.",
            postcode="12345",
            municipality="Musterstadt",
        )
    ]


def test_haversine_and_location_resolution(db):
    # Paris to London, the usual worked example: 343.5 km.
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(343.5, abs=0.2)
    assert haversine_km(50.0, 8.0, 50.0, 8.0) == 0
    assert resolve_location("50.05,8.69", municipality="Musterstadt").latitude == 50.05
    FacilityFactory(postcode="63000", latitude=Decimal("50.0"), longitude=Decimal("8.6"))
    FacilityFactory(postcode="63000", latitude=Decimal("50.2"), longitude=Decimal("8.8"))
    FacilityFactory(postcode="63000", latitude=Decimal("60.0"), longitude=Decimal("9.0"), is_active=False)
    centre = resolve_location("63000", municipality="Musterstadt")
    assert (centre.latitude, centre.longitude) == pytest.approx((50.1, 8.7))
    for text in ("91, 8", "Musterstadt", "63000 oder 63001"):
        with pytest.raises(LocationError):
            resolve_location(text, municipality="Musterstadt")


# --- bad input -----------------------------------------------------------------------------------

GARBAGE = (
    "?age_band=<script>alert(1)</script>&start=2020-13-45&hours=99999999999999999999&lat=abc&page=-1"
    "&sort=evil&birth_date=0000-00-00&age_years=-5&age_months=abc&type=evil&provider=<b>&concept=x"
    "&language=zz&opens_by=25:61&closes_after=noon&near=<script>alert(2)</script>&free_at_start=maybe"
    "&barrier_free=%00&page=99999999999999999999"
)


@pytest.mark.parametrize(
    "query",
    [
        GARBAGE,
        "?hours=1e999",
        "?hours=NaN",
        "?near=%00",
        "?near=" + "9" * 5000,
        "?birth_date=9999-12-31&start=9999-12-31",
        "?birth_date=0001-01-01&start=0001-01-01",
        "?age_years=99999999999999999999&age_months=99999999999999999999",
        "?near=91,181",
        "?page=abc",
        "?page=0",
        "?type=kita&type=kita&concept=&language=",
    ],
)
def test_garbage_in_the_query_string_never_breaks_the_page(client, portal, query):
    kita("Kita Amsel")
    response = client.get(URL + query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<b>" not in html


def test_garbage_shows_a_translated_error_summary_linking_to_each_field(client, portal):
    response = client.get(URL + GARBAGE)
    errors = response.context["form"].errors
    assert set(errors) >= {"start", "hours", "sort", "birth_date", "age_years", "age_months", "type", "near"}
    html = response.content.decode()
    assert de("Please check your entries") in html
    assert de("Enter a valid date.") in html
    links = re.findall(r'<a href="#(id_\w+)" class="alert-link">', html)
    assert links[:3] == ["id_birth_date", "id_age_years", "id_age_months"]
    for field in ("start", "hours", "sort", "birth_date", "near", "opens_by", "closes_after"):
        assert f'<a href="#id_{field}"' in html
        assert f'id="id_{field}"' in html
    assert '<a href="#id_type_0"' in html
    assert 'id="id_type_0"' in html


# --- pagination and map --------------------------------------------------------------------------


def test_pages_keep_the_filters_in_their_links(client, portal):
    for number in range(25):
        kita(f"Kita {number:02d}", type=FacilityType.KITA)
    kita("Ein Hort", type=FacilityType.HORT)
    response = search(client, type="kita")
    assert len(response.context["page_obj"]) == 20
    html = response.content.decode()
    assert 'href="?type=kita&amp;page=2"' in html
    second = search(client, type="kita", page=2)
    assert names(second) == [f"Kita {number:02d}" for number in range(20, 25)]


def test_map_gets_the_listed_facilities_and_the_tile_settings(client, portal, settings):
    settings.MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    kita("Kita Amsel", latitude=Decimal("50.1"), longitude=Decimal("8.7"))
    html = search(client).content.decode()
    assert 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in html
    data = json.loads(re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html)[1])
    assert data["facilities"][0]["name"] == "Kita Amsel"
    assert (data["facilities"][0]["lat"], data["facilities"][0]["lon"]) == (50.1, 8.7)
    assert "vendor/leaflet/leaflet.js" in html
    assert "portal/map.js" in html


def test_without_a_tile_server_there_is_no_map_and_the_list_stays(client, portal, settings):
    settings.MAP_TILE_URL = ""
    kita("Kita Amsel")
    html = search(client).content.decode()
    assert "facility-map" not in html
    assert "leaflet" not in html
    assert "Kita Amsel" in html


# --- wish list -----------------------------------------------------------------------------------


def test_result_cards_add_to_the_wish_list_and_come_back_to_the_search(client, portal):
    facility = kita("Kita Amsel")
    query = "?type=kita"
    html = client.get(URL + query).content.decode()
    assert f'formaction="{reverse("parents:wish_add", args=[facility.slug])}"' in html
    wish_form = re.search(r'<form method="post" id="wish-form".*?</form>', html, re.S)[0]
    assert f'name="next" value="{URL + query}"' in wish_form
    assert 'name="csrfmiddlewaretoken"' in wish_form
    response = client.post(reverse("parents:wish_add", args=[facility.slug]), {"next": URL + query})
    assert response.url == URL + query
    assert de("On your wish list") in client.get(URL + query).content.decode()


def test_removing_a_wish_without_a_target_goes_back_to_the_search(client, portal):
    facility = kita("Kita Amsel")
    client.post(reverse("parents:wish_add", args=[facility.slug]), {"next": URL})
    response = client.post(reverse("parents:wish_remove", args=[facility.slug]))
    assert response.url == URL


# --- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize(
    ("params", "postcode_lookups"),
    [
        ({}, 0),
        ({"birth_date": "2024-05-10", "free_at_start": "on", "concept": "montessori", "hours": "30"}, 0),
        ({"near": "63000", "sort": "distance", "type": "kita"}, 1),
    ],
)
def test_search_runs_a_constant_number_of_queries(
    client, portal, django_assert_num_queries, count, params, postcode_lookups
):
    for number in range(count):
        facility = kita(f"Kita {number:03d}")
        FacilityConcept.objects.create(facility=facility, concept=Concept.MONTESSORI)
        FacilityLanguage.objects.create(facility=facility, language=Language.GERMAN)
        PlacementFactory(facility=facility, age_band=AgeBand.UNDER_THREE, start_date=D(2025, 8, 1))
    OfferFactory(wish=WishFactory(facility=facility, age_band=AgeBand.UNDER_THREE))
    # 1 portal settings, [1 centre of the postcode's facilities], 1 count of the matches (free places
    # from the start on and distance inside it), 1 facilities of the page with providers, 2 prefetches
    # (capacities, concepts; the cards show no languages), 1 stored free places of the page's
    # facilities today and at the start.
    with django_assert_num_queries(6 + postcode_lookups):
        response = search(client, **params)
    assert response.context["page_obj"].paginator.count == count


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 3, 2), -144) == D(2014, 3, 2)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2026, 11, 30), 2) == D(2027, 1, 30)
