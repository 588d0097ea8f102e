"""Branded, translated error pages, the favicon, and a 500 page that needs neither request nor database."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("broken on purpose")


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("bad request on purpose")


urlpatterns = [
    path("boom/", _boom),
    path("forbidden/", _forbidden),
    path("suspicious/", _suspicious),
    path("", include("portal.urls")),
]


@pytest.fixture
def production(settings):
    """As in production: no debug pages, and this module's failing views next to the portal's."""
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


@pytest.fixture
def browser():
    """A client that gets the error page as a browser would, instead of the exception."""
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/gibt-es-nicht/", 404, "Page not found"),
        ("/forbidden/", 403, "Access denied"),
        ("/suspicious/", 400, "Request not understood"),
        ("/boom/", 500, "Something went wrong"),
    ],
)
def test_error_pages_are_branded_and_translated(production, browser, url, status, heading):
    response = browser.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert '<html lang="en">' in html
    assert "portal/portal.css" in html
    assert "portal/favicon.svg" in html
    assert 'href="/"' in html


def test_pages_speak_german_by_default(production):
    html = Client(raise_request_exception=False).get("/gibt-es-nicht/").content.decode()
    assert '<html lang="de">' in html


def test_the_500_page_needs_no_request_context_and_no_database(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Kita-Portal" in response.content.decode()


def test_the_404_page_keeps_the_portal_layout(production, browser, parent):
    browser.force_login(parent)
    html = browser.get("/gibt-es-nicht/").content.decode()
    assert "parent@example.org" in html  # the normal header, with the signed-in user
    assert "Find a place" in html


def test_every_page_names_the_favicon_and_favicon_ico_leads_to_it(client):
    assert 'rel="icon" href="/static/portal/favicon.svg"' in client.get("/").content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response.url == "/static/portal/favicon.svg"
    icon = finders.find("portal/favicon.svg")
    assert icon
    assert "<svg" in Path(icon).read_text(encoding="utf-8")
