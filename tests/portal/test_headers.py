"""Response headers in production: no cache keeps personal pages; browser features stay off."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import ApplicationFactory, CapacityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_every_response_carries_the_permissions_policy(client):
    policy = client.get(reverse("home"))["Permissions-Policy"]

    assert "camera=()" in policy
    assert "microphone=()" in policy
    # The search page's "near me" button asks the browser for the position, on our own origin only.
    assert "geolocation=(self)" in policy


def test_public_pages_stay_cacheable_for_anonymous_visitors(client, facility):
    for page in (reverse("home"), reverse("parents:facility_search"), facility.get_absolute_url()):
        response = client.get(page)
        assert response.status_code == 200, page
        assert "no-store" not in cache_directives(response), page


def test_personal_pages_pdfs_and_exports_are_never_stored(client, parent, child, staff, facility):
    application = ApplicationFactory(child=child)
    client.force_login(parent)
    for page in (
        reverse("parents:application_list"),
        reverse("letters:application_receipt_pdf", kwargs={"public_id": application.public_id}),
        reverse("home"),  # a public page, but shown to a signed-in parent
    ):
        response = client.get(page)
        assert response.status_code == 200, page
        assert {"no-store", "private"} <= cache_directives(response), page

    CapacityFactory(facility=facility)
    client.force_login(staff)
    export = client.get(reverse("backoffice:waitlist_csv", args=[facility.slug]))
    assert export.status_code == 200
    assert "no-store" in cache_directives(export)


def test_a_sign_in_redirect_from_a_personal_path_is_not_stored_either(client):
    response = client.get(reverse("parents:application_list"))

    assert response.status_code == 302
    assert "no-store" in cache_directives(response)


def test_messages_stay_in_the_session_not_in_a_cookie(client, parent, child):
    client.force_login(parent)

    response = client.post(
        reverse("parents:guardian_invite", args=[child.public_id]), {"email": "partner@example.org"}
    )

    assert [str(message) for message in get_messages(response.wsgi_request)]
    assert "messages" not in response.cookies
