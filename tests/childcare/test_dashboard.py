"""'My applications': documents to download, open offers first, plain sentences, what to do next."""


import pytest
from django.urls import reverse

from childcare.models import ApplicationStatus, OfferStatus
from tests.factories import (
    ApplicationFactory,
    ChildFactory,
    GuardianshipFactory,
    OfferFactory,
    PlacementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent_client(client, parent):
    client.force_login(parent)
    return client


def dashboard(client) -> str:
    response = client.get(reverse("parents:application_list"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_receipt_the_offer_letter_and_the_placement_confirmation_are_linked(parent_client, parent, child):
    offered = ApplicationFactory(child=child, status=ApplicationStatus.OFFERED)
    offer = OfferFactory(wish__application=offered)
    sibling = ChildFactory(first_name="Ben")
    GuardianshipFactory(user=parent, child=sibling)
    placed = ApplicationFactory(child=sibling, status=ApplicationStatus.PLACED)
    accepted = OfferFactory(wish__application=placed, status=OfferStatus.ACCEPTED)
    placement = PlacementFactory(child=sibling, facility=accepted.wish.facility, source_offer=accepted)
    draft = ApplicationFactory(
        child=ChildFactory(), status=ApplicationStatus.DRAFT, submitted_at=None, last_confirmed_at=None
    )
    GuardianshipFactory(user=parent, child=draft.child)

    html = dashboard(parent_client)
    assert reverse("letters:application_receipt_pdf", args=[offered.public_id]) in html
    assert reverse("letters:application_receipt_pdf", args=[placed.public_id]) in html
    assert reverse("letters:offer_letter_pdf", args=[offer.public_id]) in html
    assert reverse("letters:placement_confirmation_pdf", args=[placement.public_id]) in html
    # a draft has no receipt yet, and an accepted offer's letter is no longer offered
    assert reverse("letters:application_receipt_pdf", args=[draft.public_id]) not in html
    assert reverse("letters:offer_letter_pdf", args=[accepted.public_id]) not in html
    # the links work for the family
    for url in (
        reverse("letters:offer_letter_pdf", args=[offer.public_id]),
        reverse("letters:placement_confirmation_pdf", args=[placement.public_id]),
    ):
        assert parent_client.get(url).status_code == 200
