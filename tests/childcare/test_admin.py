"""The admin cannot bypass the transitions or overbook a facility."""

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from childcare.models import (
    AgeBand,
    Application,
    ApplicationStatus,
    Capacity,
    Facility,
    Offer,
    Placement,
    Wish,
)
from tests.conftest import with_second_factor
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    OfferFactory,
    PlacementFactory,
    UserFactory,
    WishFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
BAND = AgeBand.THREE_TO_SCHOOL


@pytest.fixture
def superuser():
    return with_second_factor(UserFactory(is_staff=True, is_superuser=True))


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("model", [Application, Wish, Offer, Placement], ids=lambda m: m.__name__)
def test_status_is_read_only_in_the_admin(model, superuser):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = superuser
    assert "status" in model_admin.get_readonly_fields(request)
    assert "status" not in (model_admin.list_editable or ())


def test_editing_an_application_in_the_admin_keeps_its_status(admin_client):
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    url = reverse("admin:childcare_application_change", args=[application.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="status"' not in page
    assert 'name="wishes-0-status"' not in page


@pytest.mark.parametrize("model", [Offer, Placement], ids=lambda m: m.__name__)
def test_offers_and_placements_cannot_be_added_in_the_admin(admin_client, model):
    url = reverse(f"admin:childcare_{model._meta.model_name}_add")
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {}).status_code == 403
    assert not model.objects.exists()


@pytest.fixture
def taken(facility):
    """From the start day: 1 placement and 1 open offer hold places; earlier nothing."""
    start = timezone.localdate() + datetime.timedelta(days=30)
    capacity = CapacityFactory(facility=facility, age_band=BAND, places=5)
    PlacementFactory(facility=facility, age_band=BAND, start_date=start)
    OfferFactory(wish=WishFactory(facility=facility, age_band=BAND), start_date=start)
    PlacementFactory(
        facility=facility,
        age_band=BAND,
        start_date=start - datetime.timedelta(days=400),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )  # ended: no place taken
    return capacity, start


def test_capacity_admin_refuses_fewer_places_than_taken(admin_client, facility, taken):
    capacity, start = taken
    url = reverse("admin:childcare_capacity_change", args=[capacity.pk])
    response = admin_client.post(url, {"facility": facility.pk, "age_band": BAND, "places": 1})
    assert response.status_code == 200
    expected = f"2 places are taken or offered from {start:%Y-%m-%d}; the capacity cannot be lower."
    assert expected in response.content.decode()
    capacity.refresh_from_db()
    assert capacity.places == 5
    response = admin_client.post(url, {"facility": facility.pk, "age_band": BAND, "places": 2})
    assert response.status_code == 302
    capacity.refresh_from_db()
    assert capacity.places == 2


def test_facility_capacity_inline_refuses_fewer_places_than_taken(facility, taken, superuser):
    capacity, _start = taken
    model_admin = admin.site._registry[Facility]
    request = RequestFactory().post("/")
    request.user = superuser
    inline = next(i for i in model_admin.get_inline_instances(request, facility) if i.model is Capacity)
    formset_class = inline.get_formset(request, facility)
    prefix = formset_class.get_default_prefix()
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": str(capacity.pk),
        f"{prefix}-0-facility": str(facility.pk),
        f"{prefix}-0-age_band": BAND,
        f"{prefix}-0-places": "1",
    }
    formset = formset_class(data, instance=facility, prefix=prefix)
    assert not formset.is_valid()
    assert "2 places are taken or offered" in str(formset.errors)
    data[f"{prefix}-0-places"] = "2"
    assert formset_class(data, instance=facility, prefix=prefix).is_valid()
