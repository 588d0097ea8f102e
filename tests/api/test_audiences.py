"""Who reads what: a family its own data, staff their facilities, the office rounds and planning."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from childcare.admissions import offers as offer_services
from childcare.models import AgeBand, AllocationRound, ApiToken, OfferStatus, Placement
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    GuardianshipFactory,
    PlacementFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db
START = timezone.localdate() + datetime.timedelta(days=90)


@pytest.fixture
def application(parent, facility):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=1)
    child = ChildFactory(first_name="Mia", birth_date=START - datetime.timedelta(days=4 * 365))
    GuardianshipFactory(user=parent, child=child)
    application = ApplicationFactory(child=child, desired_start_date=START)
    WishFactory(
        application=application, facility=facility, rank=1, points=30, points_explanation={"residence": 30}
    )
    return application


@pytest.fixture
def other_application(other_parent, facility):
    child = ChildFactory(first_name="Ben")
    GuardianshipFactory(user=other_parent, child=child)
    application = ApplicationFactory(child=child)
    WishFactory(application=application, facility=facility, rank=1, points=10)
    return application


def test_parent_reads_own_applications_with_position_and_points(
    as_user, parent, application, other_application
):
    response = as_user(parent).get("/api/v1/me/applications/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    (only,) = response.json()["results"]
    assert only["id"] == str(application.public_id)
    (wish,) = only["wishes"]
    assert wish["position"] == {"place": 1, "of": 2}
    assert wish["points_explained"] == ["Lives in the municipality: 30 points"]


def test_parent_cannot_read_another_familys_application(as_user, parent, other_application):
    response = as_user(parent).get(f"/api/v1/me/applications/{other_application.public_id}/")
    assert response.status_code == 404


def test_application_list_queries_do_not_grow_with_applications(as_user, parent, facility):
    client = as_user(parent)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/me/applications/").status_code == 200
        return len(queries)

    def add():
        child = ChildFactory()
        GuardianshipFactory(user=parent, child=child)
        WishFactory(application=ApplicationFactory(child=child), facility=facility)

    add()
    count()  # the first call records the key's use and creates the policy row
    one = count()
    for _ in range(4):
        add()
    assert count() == one


def test_read_only_key_cannot_answer_an_offer(as_user, parent, application, staff):
    offer = offer_services.make_offer(wish=application.wishes.get(), start_date=START, by=staff)
    response = as_user(parent).post(f"/api/v1/me/offers/{offer.public_id}/accept/")
    assert response.status_code == 403
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN


@pytest.mark.django_db(transaction=True)
def test_write_key_accepts_an_offer_through_the_service(as_user, parent, application, staff):
    offer = offer_services.make_offer(wish=application.wishes.get(), start_date=START, by=staff)
    client = as_user(parent, ApiToken.Scope.WRITE)
    response = client.post(f"/api/v1/me/offers/{offer.public_id}/accept/")
    assert response.status_code == 200
    assert response.json()["status"] == OfferStatus.ACCEPTED
    assert Placement.objects.filter(source_offer=offer).exists()
    again = client.post(f"/api/v1/me/offers/{offer.public_id}/decline/")
    assert again.status_code == 409
    assert again.json()["type"].endswith("/conflict")


def test_another_family_cannot_answer_the_offer(as_user, other_parent, application, staff):
    offer = offer_services.make_offer(wish=application.wishes.get(), start_date=START, by=staff)
    response = as_user(other_parent, ApiToken.Scope.WRITE).post(
        f"/api/v1/me/offers/{offer.public_id}/decline/"
    )
    assert response.status_code == 404


def test_staff_read_their_waitlist_in_order_with_explanations(
    as_user, staff, facility, application, other_application
):
    response = as_user(staff).get(f"/api/v1/staff/facilities/{facility.slug}/waitlist/", {"age_band": "ue3"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["position"], row["child"]["first_name"]) for row in rows] == [(1, "Mia"), (2, "Ben")]
    assert rows[0]["points_explanation"] == {"residence": 30}


def test_staff_of_another_facility_get_404(as_user, other_staff, facility, application):
    client = as_user(other_staff)
    assert client.get(f"/api/v1/staff/facilities/{facility.slug}/waitlist/").status_code == 404
    assert client.get(f"/api/v1/staff/facilities/{facility.slug}/placements/").status_code == 404


def test_parents_cannot_use_staff_or_office_endpoints(as_user, parent, facility):
    client = as_user(parent)
    assert client.get(f"/api/v1/staff/facilities/{facility.slug}/waitlist/").status_code == 403
    assert client.get("/api/v1/office/rounds/").status_code == 403


def test_placements_changed_since_and_cursor_pages(as_user, staff, facility, settings):
    old = PlacementFactory(facility=facility)
    Placement.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=3))
    recent = [PlacementFactory(facility=facility) for _ in range(3)]
    PlacementFactory()  # another facility
    client = as_user(staff)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    first = client.get(
        f"/api/v1/staff/facilities/{facility.slug}/placements/", {"changed_since": since, "page_size": 2}
    )
    body = first.json()
    assert [row["id"] for row in body["results"]] == [str(p.public_id) for p in recent[:2]]
    second = client.get(body["next"]).json()
    assert [row["id"] for row in second["results"]] == [str(recent[2].public_id)]
    bad = client.get(f"/api/v1/staff/facilities/{facility.slug}/placements/", {"changed_since": "yesterday"})
    assert bad.status_code == 400
    assert "changed_since" in bad.json()["errors"]


def test_office_reads_rounds_and_planning(as_user, municipal_office, staff):
    found = AllocationRound.objects.create(target_start_date=START, statistics={"matched": 1})
    client = as_user(municipal_office)
    assert client.get("/api/v1/office/rounds/").json()["count"] == 1
    detail = client.get(f"/api/v1/office/rounds/{found.public_id}/").json()
    assert detail["statistics"] == {"matched": 1}
    planning = client.get("/api/v1/office/planning/")
    assert planning.status_code == 200
    assert len(planning.json()["months"]) == 12
    assert as_user(staff).get("/api/v1/office/planning/").status_code == 403


def test_waitlist_and_placement_queries_do_not_grow_with_the_list(as_user, staff, facility):
    client = as_user(staff)
    waitlist_url = f"/api/v1/staff/facilities/{facility.slug}/waitlist/"
    placements_url = f"/api/v1/staff/facilities/{facility.slug}/placements/"

    def counts() -> tuple[int, int]:
        found = []
        for url in (waitlist_url, placements_url):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return tuple(found)

    def add(n):
        for _ in range(n):
            WishFactory(facility=facility)
            PlacementFactory(facility=facility)

    add(2)
    counts()  # the first call records the key's use
    few = counts()
    add(10)
    assert counts() == few
