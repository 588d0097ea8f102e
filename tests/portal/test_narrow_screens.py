"""Pages stay within a phone's width: long words wrap (the browser tier measures the real width)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import ChildFactory, GuardianshipFactory, UserFactory

pytestmark = pytest.mark.django_db


def portal_css() -> str:
    with open(finders.find("portal/portal.css"), encoding="utf-8") as css:
        return re.sub(r"/\*.*?\*/", "", css.read(), flags=re.S)  # without comments


@pytest.mark.parametrize("selector", ["h1", "h2", "td", "th", "dd", ".badge"])
def test_long_words_wrap_in_headings_cells_and_badges(selector):
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", portal_css())
    wrapping = {
        name.strip()
        for names, body in rules
        if "overflow-wrap: anywhere" in body
        for name in names.split(",")
    }
    assert selector in wrapping


def test_headings_hyphenate():
    assert re.search(r"h1[^{]*\{[^}]*hyphens: auto", portal_css())


def test_a_page_with_a_100_letter_name_and_a_long_address_renders_with_the_stylesheet(client):
    parent = UserFactory(email="a.very.long.address.without.any.break@subdomain.example.org")
    child = ChildFactory(first_name="M" + "a" * 99)
    GuardianshipFactory(user=parent, child=child)
    client.force_login(parent)
    response = client.get(reverse("parents:child_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert child.first_name in html
    assert "portal/portal.css" in html
