import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from childcare.facilities.availability import rebuild_availability
from childcare.models import (
    AgeBand,
    Capacity,
    Child,
    Concept,
    Facility,
    FacilityConcept,
    FacilityType,
    Placement,
)
from portal.models import PortalSettings
from tests.factories import CapacityFactory, ChildFactory, FacilityFactory, PlacementFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def make_facilities(n: int):
    """``n`` facilities with two capacities, a concept and a child placed each: in bulk, for city size."""
    provider = ProviderFactory()
    facilities = Facility.objects.bulk_create(
        FacilityFactory.build(provider=provider, type=FacilityType.KITA if i % 2 else FacilityType.KRIPPE)
        for i in range(n)
    )
    Capacity.objects.bulk_create(
        CapacityFactory.build(facility=facility, age_band=band, places=places)
        for facility in facilities
        for band, places in ((AgeBand.UNDER_THREE, 10), (AgeBand.THREE_TO_SCHOOL, 20))
    )
    FacilityConcept.objects.bulk_create(
        FacilityConcept(facility=facility, concept=Concept.MONTESSORI) for facility in facilities
    )
    children = Child.objects.bulk_create(ChildFactory.build() for _ in facilities)
    Placement.objects.bulk_create(
        PlacementFactory.build(
            facility=facility, child=child, age_band=AgeBand.UNDER_THREE, start_date=datetime.date(2024, 8, 1)
        )
        for facility, child in zip(facilities, children, strict=True)
    )
    rebuild_availability()  # rows written in bulk pass the transitions that keep it


def list_queries(api, n: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/facilities/", {"page_size": 500})
    assert response.status_code == 200
    assert response.json()["count"] == n
    return len(queries)


def test_facility_list_runs_the_same_number_of_queries_for_10_and_3000_facilities(api):
    PortalSettings.load()  # the first load creates the row
    make_facilities(10)
    at_ten = list_queries(api, 10)
    make_facilities(2990)
    at_three_thousand = list_queries(api, 3000)
    # 4 aggregates for the ETag (facilities, capacities, placements, offers), the portal settings,
    # the count of matches, the page's facilities with providers, 3 prefetches (capacities, concepts,
    # languages), the page's stored free places.
    assert at_ten == at_three_thousand == 11


def test_facility_list_shows_free_places_and_filters_by_type(api):
    make_facilities(4)
    response = api.get("/api/v1/facilities/", {"type": "krippe"})
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["type"] == "krippe"
    u3 = next(band for band in first["bands"] if band["age_band"] == "u3")
    assert u3 == {**u3, "places": 10, "free_now": 9}
    assert first["concepts"] == ["montessori"]


def test_facility_list_filters_by_age_band_at_start_and_distance(api):
    make_facilities(2)
    today = timezone.localdate()
    response = api.get(
        "/api/v1/facilities/",
        {"birth_date": (today - datetime.timedelta(days=400)).isoformat(), "near": "50.05,8.69"},
    )
    results = response.json()["results"]
    assert all([band["age_band"] for band in r["bands"]] == ["u3"] for r in results)
    assert all(r["distance_km"] is not None for r in results)


def test_invalid_filters_answer_problem_details_with_field_errors(api):
    response = api.get(
        "/api/v1/facilities/", {"start": "2000-01-01", "type": "zoo"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 400
    assert body["type"].endswith("/invalid-request")
    assert body["instance"] == "/api/v1/facilities/"
    assert "The desired start lies in the past." in body["errors"]["start"]
    assert "type" in body["errors"]
    german = api.get("/api/v1/facilities/", {"start": "2000-01-01"}, HTTP_ACCEPT_LANGUAGE="de").json()
    assert german["errors"]["start"] != body["errors"]["start"]


def test_error_titles_follow_accept_language(api):
    german = api.get("/api/v1/facilities/nope/", HTTP_ACCEPT_LANGUAGE="de")
    english = api.get("/api/v1/facilities/nope/", HTTP_ACCEPT_LANGUAGE="en")
    assert german.status_code == english.status_code == 404
    assert english.json()["title"] == "Not found."
    assert german["Content-Language"] == "de"
    assert english["Content-Language"] == "en"


def test_facility_detail_has_capacity_and_twelve_months_of_free_places(api):
    facility = FacilityFactory()
    CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=5)
    PlacementFactory(facility=facility, age_band=AgeBand.UNDER_THREE, start_date=timezone.localdate())
    body = api.get(f"/api/v1/facilities/{facility.slug}/").json()
    assert body["capacities"] == [{"age_band": "u3", "label": body["capacities"][0]["label"], "places": 5}]
    assert len(body["availability"]) == 13  # today and the first of each of the next 12 months
    assert body["availability"][0]["free"] == {"u3": 4}


def test_inactive_facility_is_not_found(api):
    facility = FacilityFactory(is_active=False)
    assert api.get(f"/api/v1/facilities/{facility.slug}/").status_code == 404


def test_public_data_answers_304_while_nothing_changed_and_200_after_a_change(api):
    facility = FacilityFactory()
    CapacityFactory(facility=facility)
    first = api.get("/api/v1/facilities/")
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert "public" in first["Cache-Control"]
    assert "Accept-Language" in first["Vary"]
    assert api.get("/api/v1/facilities/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert api.get("/api/v1/facilities/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    PlacementFactory(facility=facility)
    changed = api.get("/api/v1/facilities/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_etag_differs_per_filter_and_language(api):
    FacilityFactory()
    plain = api.get("/api/v1/facilities/")["ETag"]
    assert api.get("/api/v1/facilities/", {"type": "kita"})["ETag"] != plain
    assert api.get("/api/v1/facilities/", HTTP_ACCEPT_LANGUAGE="en")["ETag"] != plain


def test_anonymous_requests_are_throttled_per_address(api, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "100/minute"})
    assert api.get("/api/v1/facilities/").status_code == 200
    assert api.get("/api/v1/facilities/").status_code == 200
    third = api.get("/api/v1/facilities/")
    assert third.status_code == 429
    assert third.json()["type"].endswith("/too-many-requests")
    assert "Retry-After" in third
    other_address = api.get("/api/v1/facilities/", REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_schema_is_openapi_3_1_and_docs_use_vendored_assets(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert schema.json()["openapi"] == "3.1.0"
    assert "/api/v1/facilities/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()


def test_browsers_get_the_browsable_api_and_its_errors_as_html(api):
    response = api.get("/api/v1/facilities/nope/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_unknown_api_paths_answer_problem_details(api):
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
