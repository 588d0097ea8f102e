import csv
import io

import pytest

from childcare.models import AgeBand
from tests.factories import CapacityFactory, ChildFactory, FacilityFactory, PlacementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def facility_with_child():
    facility = FacilityFactory(external_id="ext-7")
    CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=3)
    PlacementFactory(facility=facility, age_band=AgeBand.UNDER_THREE, child=ChildFactory(first_name="Geheim"))
    FacilityFactory(is_active=False)
    return facility


def test_geojson_has_one_point_per_active_facility_with_licence(api, facility_with_child, settings):
    settings.OPEN_DATA_LICENCE = "cc-by-4.0"
    response = api.get("/api/v1/open-data/facilities.geojson")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert response.has_header("ETag")
    assert response.has_header("Last-Modified")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["licence"] == "cc-by-4.0"
    (feature,) = body["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [8.69, 50.05]}
    assert feature["properties"]["places_u3"] == 3
    assert feature["properties"]["free_today_u3"] == 2
    assert b"Geheim" not in response.content


def test_csv_has_the_documented_columns_and_no_personal_data(api, facility_with_child):
    response = api.get("/api/v1/open-data/facilities.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert rows[0]["external_id"] == "ext-7"
    assert rows[0]["licence"] == "dl-de/by-2-0"
    assert b"Geheim" not in response.content
    etag = response["ETag"]
    assert api.get("/api/v1/open-data/facilities.csv", HTTP_IF_NONE_MATCH=etag).status_code == 304
