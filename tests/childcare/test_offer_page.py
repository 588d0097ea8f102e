"""The offer's answer page, where offer e-mails lead: both answers, a confirmation, nothing by accident."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from childcare.actors import SYSTEM
from childcare.admissions import offers
from childcare.models import AgeBand, OfferStatus
from tests.factories import ApplicationFactory, CapacityFactory, WishFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(client, parent, child, facility):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=3)
    application = ApplicationFactory(child=child)
    wish = WishFactory(application=application, facility=facility)
    client.force_login(parent)
    return offers.make_offer(wish=wish, start_date=application.desired_start_date, by=SYSTEM)


def url(offer, answer=""):
    return reverse("parents:offer_respond", args=[offer.public_id]) + (f"?answer={answer}" if answer else "")


def test_without_an_answer_the_page_offers_both(client, offer, in_english):
    html = client.get(url(offer)).content.decode()
    assert f"A place at {offer.wish.facility.name}" in html
    assert 'href="?answer=accept"' in html
    assert 'href="?answer=decline"' in html
    assert 'method="post"' not in html.split("<main", 1)[1]  # nothing to send before choosing


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_the_chosen_answer_is_confirmed_first(client, offer, answer, in_english):
    html = client.get(url(offer, answer)).content.decode()
    assert f'name="answer" value="{answer}"' in html
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN


@pytest.mark.parametrize("posted", [{}, {"answer": ""}, {"answer": "ja"}, {"answer": "accept\x00"}])
def test_a_post_without_a_valid_answer_changes_nothing(client, offer, posted, in_english):
    response = client.post(url(offer), posted)
    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Please choose whether you accept or decline the place."
    ]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN


def test_an_answered_offer_leads_to_the_application(client, offer, parent, in_english):
    offers.decline_offer(offer=offer, by=parent)
    response = client.get(url(offer))
    assert response.status_code == 302
    assert response.url == reverse("parents:application_detail", args=[offer.application.public_id])
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["This offer is no longer open."]
