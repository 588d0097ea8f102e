"""The facility's webhook page: its staff add (secret shown once), pause and remove addresses."""

import pytest

from childcare.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def page(facility) -> str:
    return f"/verwaltung/{facility.slug}/webhooks/"


def test_staff_add_an_endpoint_and_see_its_secret_once(client, staff, facility):
    client.force_login(staff)
    response = client.post(page(facility), {"url": "https://kita-software.example/hooks"})
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.facility == facility
    assert endpoint.created_by == staff
    assert endpoint.active
    assert endpoint.secret in response.content.decode()
    again = client.get(page(facility))
    assert "https://kita-software.example/hooks" in again.content.decode()
    assert endpoint.secret not in again.content.decode()


@pytest.mark.parametrize("url", ["http://kita-software.example/hooks", "not an address", ""])
def test_only_https_addresses_are_taken(client, staff, facility, url):
    client.force_login(staff)
    response = client.post(page(facility), {"url": url})
    assert response.status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_staff_pause_resume_and_remove(client, staff, facility):
    client.force_login(staff)
    client.post(page(facility), {"url": "https://a.example/"})
    endpoint = WebhookEndpoint.objects.get()
    assert client.post(page(facility), {"endpoint": endpoint.public_id, "action": "pause"}).status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
    client.post(page(facility), {"endpoint": endpoint.public_id, "action": "resume"})
    endpoint.refresh_from_db()
    assert endpoint.active
    client.post(page(facility), {"endpoint": endpoint.public_id, "action": "delete"})
    assert not WebhookEndpoint.objects.exists()


def test_staff_of_another_facility_get_404(client, other_staff, staff, facility):
    client.force_login(staff)
    client.post(page(facility), {"url": "https://a.example/"})
    endpoint = WebhookEndpoint.objects.get()
    client.force_login(other_staff)
    assert client.get(page(facility)).status_code == 404
    assert (
        client.post(page(facility), {"endpoint": endpoint.public_id, "action": "delete"}).status_code == 404
    )
    assert WebhookEndpoint.objects.exists()


def test_an_endpoint_of_another_facility_cannot_be_changed_through_ones_own(
    client, staff, other_staff, facility
):
    elsewhere = other_staff.staff_memberships.get().facility
    client.force_login(other_staff)
    client.post(page(elsewhere), {"url": "https://b.example/"})
    foreign = WebhookEndpoint.objects.get()
    client.force_login(staff)
    response = client.post(page(facility), {"endpoint": foreign.public_id, "action": "pause"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.active


def test_parents_get_404(client, parent, facility):
    client.force_login(parent)
    assert client.get(page(facility)).status_code == 404
