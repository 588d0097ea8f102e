"""The two idioms every page shares: the safe way back, and running one service for a POST."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from childcare.errors import DomainError
from childcare.models import ApplicationEvent, Offer
from childcare.web import back_url, run_service
from tests.factories import CapacityFactory, WishFactory

pytestmark = pytest.mark.django_db

FOREIGN_OR_NAMES = [
    "zurueck",
    "parents:child_list",
    "https://evil.example/",
    "//evil.example/path",
    "/\\evil.example",
    "javascript:alert(1)",
    "\x01/antraege/",
    "",
]


@pytest.mark.parametrize("target", FOREIGN_OR_NAMES)
def test_back_url_answers_only_paths_of_this_site_and_otherwise_the_default(target):
    request = RequestFactory().post("/", {"next": target})
    assert back_url(request, "parents:facility_search") == reverse("parents:facility_search")
    assert back_url(request, "/kinder/") == "/kinder/"


def test_back_url_keeps_a_path_of_this_site_with_its_filters():
    request = RequestFactory().get("/", {"next": "/verwaltung/kita/warteliste/?age_band=u3&page=2"})
    assert back_url(request, "/") == "/verwaltung/kita/warteliste/?age_band=u3&page=2"


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_run_service_shows_the_success_text_or_the_one_perform_returned():
    request = _request()
    assert run_service(request, lambda: None, success="Saved.")
    assert run_service(request, lambda: "Three offers were made.")
    assert [str(m) for m in get_messages(request)] == ["Saved.", "Three offers were made."]


def test_run_service_shows_a_domain_refusal_and_reports_it():
    def refuse():
        raise DomainError("Not now.")

    request = _request()
    assert not run_service(request, refuse, success="Saved.")
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("error", "Not now.")]


def test_run_service_lets_programming_errors_through():
    with pytest.raises(ZeroDivisionError):
        run_service(_request(), lambda: 1 / 0)


# --- a `next` that is not a path: the action is saved once and the answer is a redirect, not a 500 ---


def test_wish_list_with_a_next_that_is_no_path_goes_to_the_default(client, facility):
    response = client.post(reverse("parents:wish_add", args=[facility.slug]), {"next": "zurueck"})
    assert response.status_code == 302
    assert response.url == facility.get_absolute_url()
    response = client.post(reverse("parents:wish_remove", args=[facility.slug]), {"next": "zurueck"})
    assert response.url == reverse("parents:facility_search")


def test_a_note_with_a_next_that_is_no_path_is_written_once_and_goes_back(client, staff, facility):
    wish = WishFactory(facility=facility)
    client.force_login(staff)
    url = reverse("backoffice:note_add", args=[wish.application.public_id])
    response = client.post(url, {"text": "Rückruf am Montag.", "next": "zurueck"})
    assert response.status_code == 302
    assert response.url == reverse("backoffice:application", args=[wish.application.public_id])
    assert ApplicationEvent.objects.filter(kind="note").count() == 1


@pytest.mark.parametrize("next_value", ["zurueck", "//evil.example/"])
def test_an_offer_with_a_next_that_is_no_path_is_made_once_and_goes_to_the_waitlist(
    client, staff, facility, next_value
):
    CapacityFactory(facility=facility, places=2)
    wish = WishFactory(facility=facility)
    client.force_login(staff)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("backoffice:offer_make", args=[facility.slug, wish.application.public_id]),
        {
            "start_date": tomorrow.isoformat(),
            "answer_by": (tomorrow + datetime.timedelta(days=10)).isoformat(),
            "next": next_value,
        },
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("backoffice:waitlist", args=[facility.slug]))
    assert Offer.objects.count() == 1
