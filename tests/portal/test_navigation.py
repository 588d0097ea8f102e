"""The main navigation: one menu per audience, folded into the burger below the xl breakpoint."""

import re

import pytest
from django.urls import reverse

from tests.factories import GuardianshipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

PARENT_ITEMS = ["parents:application_list", "parents:child_list"]
OFFICE_ITEMS = ["backoffice:planning_overview", "backoffice:round_list"]


def menu(client, user) -> str:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    return html[html.index('<nav class="navbar') : html.index("</nav>")]


def links(nav: str) -> list[str]:
    return re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"', nav)


def test_parents_see_the_parents_menu_and_no_staff_items(client, parent):
    nav = links(menu(client, parent))
    assert all(reverse(name) in nav for name in PARENT_ITEMS)
    assert reverse("backoffice:facilities") not in nav


def test_facility_staff_see_their_facilities_not_the_parents_items(client, staff):
    nav = links(menu(client, staff))
    assert reverse("backoffice:facilities") in nav
    assert not any(reverse(name) in nav for name in PARENT_ITEMS + OFFICE_ITEMS)


def test_staff_who_are_guardians_too_keep_the_parents_items(client, staff, child):
    GuardianshipFactory(user=staff, child=child)
    nav = links(menu(client, staff))
    assert reverse("backoffice:facilities") in nav
    assert all(reverse(name) in nav for name in PARENT_ITEMS)


def test_the_office_sees_planning_allocation_and_the_admin_once(client):
    office = UserFactory(email="amt@example.org", is_municipal_office=True, is_staff=True)
    nav = menu(client, office)
    hrefs = links(nav)
    assert all(reverse(name) in hrefs for name in ["backoffice:facilities", *OFFICE_ITEMS])
    assert hrefs.count(reverse("admin:index")) == 1
    assert nav.count(">Administration<") == 1
    assert not any(reverse(name) in hrefs for name in PARENT_ITEMS)


def test_the_menu_folds_below_the_xl_breakpoint_and_keeps_the_language_switch(client, municipal_office):
    nav = menu(client, municipal_office)
    assert "navbar-expand-xl" in nav
    assert 'class="collapse navbar-collapse" id="main-nav"' in nav
    assert 'name="language" value="en"' in nav


def test_staff_pages_use_the_wide_container_and_parents_the_normal_one(client, staff, parent):
    client.force_login(staff)
    assert '<main id="main" class="container-xxl' in client.get(reverse("backoffice:facilities")).text
    client.force_login(parent)
    assert '<main id="main" class="container ' in client.get(reverse("home")).text
