"""Finding the staff member's facility: one query, 404 for everyone who does not work there."""

import datetime

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from childcare.backoffice.lookups import waitlist_facility
from childcare.models import AgeBand, ProgramAvailability
from tests.factories import CapacityFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_waitlist_facility_comes_with_its_bands_in_age_order_and_free_places_today(
    facility, staff, django_assert_num_queries
):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=20)
    CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=10)
    ProgramAvailability.objects.filter(facility=facility, age_band=AgeBand.UNDER_THREE).update(taken=4)
    ProgramAvailability.objects.filter(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL).update(taken=25)

    with django_assert_num_queries(1):
        found = waitlist_facility(request_by(staff), facility.slug, TODAY)

    assert (found.pk, found.slug, found.name) == (facility.pk, facility.slug, facility.name)
    assert found.bands == [AgeBand.UNDER_THREE, AgeBand.THREE_TO_SCHOOL]
    assert found.programs == {AgeBand.UNDER_THREE: (10, 6), AgeBand.THREE_TO_SCHOOL: (20, 0)}


def test_a_band_without_stored_availability_for_today_has_all_its_places_free(facility, staff):
    CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=10)
    ProgramAvailability.objects.filter(facility=facility).update(
        taken=3, valid_from=TODAY + datetime.timedelta(days=1)
    )
    found = waitlist_facility(request_by(staff), facility.slug, TODAY)
    assert found.programs == {AgeBand.UNDER_THREE: (10, 10)}


def test_a_facility_without_places_has_no_bands(facility, staff):
    found = waitlist_facility(request_by(staff), facility.slug, TODAY)
    assert (found.bands, found.programs) == ([], {})


def test_the_municipal_office_finds_every_facility(facility, municipal_office):
    assert waitlist_facility(request_by(municipal_office), facility.slug, TODAY).pk == facility.pk


@pytest.mark.parametrize("who", ["other_staff", "parent"])
def test_everyone_else_gets_404_as_for_a_facility_that_does_not_exist(facility, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(Http404):
        waitlist_facility(request_by(user), facility.slug, TODAY)
    with pytest.raises(Http404):
        waitlist_facility(request_by(request.getfixturevalue("staff")), "no-such-facility", TODAY)
