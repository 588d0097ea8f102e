"""Webhook events are written with the change that causes them, one row per active endpoint."""

import base64
import datetime
import hashlib
import hmac
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from childcare.admissions import applications as application_services
from childcare.admissions import offers as offer_services
from childcare.admissions import waitlist_actions
from childcare.api import webhooks
from childcare.api.webhook_delivery import request_for
from childcare.errors import DomainError
from childcare.models import AgeBand, WebhookDelivery, WebhookEndpoint
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    GuardianshipFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db
START = timezone.localdate() + datetime.timedelta(days=90)


@pytest.fixture
def endpoint(facility, staff):
    return webhooks.create_endpoint(facility=facility, url="https://kita-software.example/hooks", by=staff)


@pytest.fixture
def wish(parent, facility):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=2)
    child = ChildFactory(birth_date=START - datetime.timedelta(days=4 * 365))
    GuardianshipFactory(user=parent, child=child)
    application = ApplicationFactory(child=child, desired_start_date=START)
    WishFactory(application=application, rank=2)
    return WishFactory(application=application, facility=facility, rank=1)


def events(endpoint) -> list[tuple[str, dict]]:
    return [(d.event_type, d.payload["data"]) for d in endpoint.deliveries.order_by("pk")]


def test_accepting_an_offer_sends_offer_accepted_and_placement_created(
    endpoint, wish, staff, parent, django_capture_on_commit_callbacks
):
    offer = offer_services.make_offer(wish=wish, start_date=START, by=staff)
    assert not WebhookDelivery.objects.exists()  # making an offer is no event for the software
    with django_capture_on_commit_callbacks() as callbacks:
        placement = offer_services.accept_offer(offer=offer, by=parent)
    assert callbacks, "delivery is queued only when the change commits"
    (accepted, accepted_data), (created, created_data) = events(endpoint)
    assert accepted == "offer.accepted"
    assert accepted_data["offer"] == str(offer.public_id)
    assert accepted_data["placement"] == str(placement.public_id)
    assert created == "placement.created"
    assert created_data["child"]["id"] == str(wish.application.child.public_id)
    assert created_data["start_date"] == START.isoformat()
    assert created_data["offer"] == str(offer.public_id)


def test_recording_a_placement_sends_placement_created(endpoint, wish, staff):
    placement = waitlist_actions.record_placement(wish=wish, by=staff, start_date=START)
    ((kind, data),) = events(endpoint)
    assert kind == "placement.created"
    assert data["placement"] == str(placement.public_id)
    assert data["offer"] is None


def test_withdrawing_a_wish_sends_wish_withdrawn(endpoint, wish, parent):
    application_services.withdraw_wish(wish=wish, by=parent)
    ((kind, data),) = events(endpoint)
    assert kind == "wish.withdrawn"
    assert data == {
        "application": str(wish.application.public_id),
        "reference": wish.application.reference,
        "facility": wish.facility.slug,
        "age_band": wish.age_band,
        "rank": 1,
    }


def test_a_change_that_fails_leaves_no_event(endpoint, wish, parent):
    wish.application.wishes.exclude(pk=wish.pk).delete()
    with pytest.raises(DomainError):  # the last wish cannot be withdrawn alone
        application_services.withdraw_wish(wish=wish, by=parent)
    assert not WebhookDelivery.objects.exists()


def test_only_the_facilitys_active_endpoints_receive_events(endpoint, wish, parent, staff, other_staff):
    paused = webhooks.create_endpoint(facility=wish.facility, url="https://paused.example/", by=staff)
    webhooks.set_endpoint_active(endpoint=paused, active=False, by=staff)
    second = webhooks.create_endpoint(facility=wish.facility, url="https://second.example/", by=staff)
    elsewhere = other_staff.staff_memberships.get().facility
    foreign = webhooks.create_endpoint(facility=elsewhere, url="https://foreign.example/", by=other_staff)
    application_services.withdraw_wish(wish=wish, by=parent)
    first, other = WebhookDelivery.objects.order_by("pk")
    assert {first.endpoint, other.endpoint} == {endpoint, second}
    assert first.event_id == other.event_id  # one event, the same id at every endpoint
    assert not paused.deliveries.exists()
    assert not foreign.deliveries.exists()


def test_endpoints_take_only_https_addresses(facility, staff):
    with pytest.raises(ValidationError):
        webhooks.create_endpoint(facility=facility, url="http://kita-software.example/hooks", by=staff)
    assert not WebhookEndpoint.objects.exists()


def test_only_the_facilitys_staff_manage_its_endpoints(facility, other_staff, parent):
    for outsider in (other_staff, parent):
        with pytest.raises(DomainError):
            webhooks.create_endpoint(facility=facility, url="https://x.example/", by=outsider)


def test_each_endpoint_gets_its_own_secret(facility, staff):
    one = webhooks.create_endpoint(facility=facility, url="https://a.example/", by=staff)
    two = webhooks.create_endpoint(facility=facility, url="https://b.example/", by=staff)
    assert one.secret.startswith("whsec_")
    assert one.secret != two.secret
    assert len(base64.b64decode(one.secret.removeprefix("whsec_"))) == 24


def test_a_request_is_signed_the_standard_webhooks_way(endpoint, wish, parent):
    application_services.withdraw_wish(wish=wish, by=parent)
    delivery = WebhookDelivery.objects.get()
    request = request_for(delivery, now=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC))
    headers = {name.lower(): value for name, value in request.header_items()}
    assert headers["webhook-id"] == str(delivery.event_id)
    assert headers["webhook-timestamp"] == "1798761600"
    key = base64.b64decode(endpoint.secret.removeprefix("whsec_"))
    signed = f"{delivery.event_id}.1798761600.".encode() + request.data
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    assert json.loads(request.data)["type"] == "wish.withdrawn"
