"""From the wish list to an application with those facilities as wishes, in the list's order."""

import datetime
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from childcare.models import AgeBand, Application, Child
from tests.factories import CapacityFactory, ChildFactory, FacilityFactory, GuardianshipFactory

pytestmark = pytest.mark.django_db

APPLY_URL = reverse("parents:application_start") + "?wishes=basket"


def next_august():
    today = timezone.localdate()
    start = datetime.date(today.year, 8, 1)
    return start if start > today else start.replace(year=today.year + 1)


@pytest.fixture
def marked(client):
    """Three U3 facilities marked on the wish list, in the order Regenbogen, Sonnenblume, Stern."""
    facilities = []
    for name in ("Kita Regenbogen", "Kita Sonnenblume", "Krippe Stern"):
        facility = FacilityFactory(name=name)
        CapacityFactory(facility=facility, age_band=AgeBand.UNDER_THREE, places=5)
        facilities.append(facility)
        client.post(reverse("parents:wish_add", args=[facility.slug]))
    return facilities


def test_the_search_page_offers_to_apply_with_the_wish_list(client, marked, in_english):
    html = client.get(reverse("parents:facility_search")).content.decode()
    assert "Apply with these facilities" in html
    assert APPLY_URL.replace("&", "&amp;") in html or APPLY_URL in html
    html = client.get(reverse("parents:facility_detail", args=[marked[0].slug])).content.decode()
    assert "Apply with these facilities" in html


def test_without_a_wish_list_there_is_no_apply_link(client, in_english):
    assert (
        "Apply with these facilities" not in client.get(reverse("parents:facility_search")).content.decode()
    )


def test_an_anonymous_visitor_signs_in_first_and_comes_back(client, marked):
    response = client.get(APPLY_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert quote(APPLY_URL, safe="/") in response["Location"] or "wishes%3Dbasket" in response["Location"]


def test_choosing_one_of_several_children_then_the_start_makes_the_wish_list_the_wishes(
    client, parent, marked
):
    children = []
    for name in ("Mia", "Ben"):
        child = ChildFactory(first_name=name, birth_date=next_august() - datetime.timedelta(days=700))
        GuardianshipFactory(user=parent, child=child)
        children.append(child)
    client.force_login(parent)
    response = client.get(APPLY_URL)
    assert response.status_code == 200  # several children: choose first
    response = client.post(APPLY_URL, {"child": children[1].pk})
    application = Application.objects.get()
    assert application.child == children[1]
    start_url = reverse("parents:application_step_start", args=[application.public_id])
    assert response["Location"] == start_url + "?wishes=basket"
    response = client.post(
        start_url + "?wishes=basket",
        {"desired_start_date": next_august().isoformat(), "care_hours_per_week": "35"},
    )
    assert response["Location"] == reverse("parents:application_step_wishes", args=[application.public_id])
    assert [w.facility for w in application.wishes.order_by("rank")] == marked
    assert "wish_basket" not in client.session


def test_with_one_child_it_is_chosen_already(client, parent, child, marked):
    client.force_login(parent)
    html = client.get(APPLY_URL).content.decode()
    assert f'value="{child.pk}"' in html
    assert "checked" in html.split(f'value="{child.pk}"', 1)[1].split(">", 1)[0]


def test_without_a_child_the_child_is_added_first_and_the_wish_list_is_kept(client, parent, marked):
    client.force_login(parent)
    response = client.get(APPLY_URL)
    assert response["Location"] == reverse("parents:child_create") + "?next=apply&wishes=basket"
    response = client.post(
        response["Location"],
        {
            "first_name": "Zoë",
            "last_name": "Müller",
            "birth_date": (next_august() - datetime.timedelta(days=700)).isoformat(),
        },
    )
    assert response["Location"] == APPLY_URL
    assert Child.objects.count() == 1
