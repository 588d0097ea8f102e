"""The staff page of one application: proofs, letters and wording that speaks about the family."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from childcare.models import Application, ApplicationDocument, ApplicationStatus, OfferStatus
from tests.factories import (
    ApplicationFactory,
    FacilityFactory,
    OfferFactory,
    PlacementFactory,
    WishFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def proof(application, name="meldebescheinigung.pdf") -> ApplicationDocument:
    return ApplicationDocument.objects.create(
        application=application,
        criterion="residence",
        file=ContentFile(PDF, name=name),
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
    )


@pytest.fixture
def application(child, facility):
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    WishFactory(application=application, facility=facility)
    return application


def page(client, application):
    return client.get(reverse("backoffice:application", args=[application.public_id]))


def download(client, document):
    return client.get(reverse("parents:document_download", args=[document.public_id]))


@pytest.mark.parametrize("role", ["staff", "municipal_office"])
def test_staff_of_a_wished_facility_see_and_download_the_familys_proofs(client, request, application, role):
    document = proof(application)
    client.force_login(request.getfixturevalue(role))
    html = page(client, application).content.decode()
    assert "meldebescheinigung.pdf" in html
    assert "Proof of residence" in html
    assert reverse("parents:document_download", args=[document.public_id]) in html
    response = download(client, document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_staff_of_another_facility_get_404_for_the_page_and_the_proof(client, application, other_staff):
    document = proof(application)
    client.force_login(other_staff)
    assert page(client, application).status_code == 404
    assert download(client, document).status_code == 404


def test_a_drafts_proofs_stay_with_the_family(client, child, facility, staff, parent):
    draft = ApplicationFactory(child=child, status=ApplicationStatus.DRAFT, submitted_at=None)
    WishFactory(application=draft, facility=facility)
    document = proof(draft)
    client.force_login(staff)
    assert download(client, document).status_code == 404
    client.force_login(parent)
    assert download(client, document).status_code == 200


def test_the_page_says_when_no_proofs_were_uploaded(client, application, staff):
    client.force_login(staff)
    assert "The family has not uploaded any proofs." in page(client, application).content.decode()


def test_staff_get_the_receipt_and_the_letters_of_their_own_facility_only(
    client, application, facility, staff
):
    own_offer = OfferFactory(
        wish=application.wishes.get(), application=application, status=OfferStatus.DECLINED
    )
    elsewhere = WishFactory(application=application, facility=FacilityFactory(), rank=2)
    foreign_offer = OfferFactory(wish=elsewhere, application=application)
    own_placement = PlacementFactory(
        child=application.child, facility=facility, end_date=datetime.date(2029, 8, 1)
    )
    foreign_placement = PlacementFactory(
        child=application.child, facility=elsewhere.facility, start_date=datetime.date(2030, 8, 1)
    )
    client.force_login(staff)
    html = page(client, application).content.decode()
    receipt = reverse("letters:application_receipt_pdf", args=[application.public_id])
    own_letters = [
        reverse("letters:offer_letter_pdf", args=[own_offer.public_id]),
        reverse("letters:placement_confirmation_pdf", args=[own_placement.public_id]),
    ]
    for url in [receipt, *own_letters]:
        assert url in html
        assert client.get(url).status_code == 200, url
    assert reverse("letters:offer_letter_pdf", args=[foreign_offer.public_id]) not in html
    assert reverse("letters:placement_confirmation_pdf", args=[foreign_placement.public_id]) not in html


def test_the_municipal_office_gets_the_letters_of_every_wished_facility(
    client, application, municipal_office
):
    elsewhere = WishFactory(application=application, facility=FacilityFactory(), rank=2)
    offer = OfferFactory(wish=elsewhere, application=application)
    client.force_login(municipal_office)
    assert (
        reverse("letters:offer_letter_pdf", args=[offer.public_id])
        in page(client, application).content.decode()
    )


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (ApplicationStatus.WAITING, "The child is on the waitlists of the facilities the family chose."),
        (ApplicationStatus.OFFERED, "The family has an open offer"),
        (ApplicationStatus.PLACED, "The child has a place."),
        (ApplicationStatus.WITHDRAWN, "The family withdrew this application."),
    ],
)
def test_the_page_speaks_about_the_family_not_to_it(client, child, facility, staff, status, sentence):
    application = ApplicationFactory(child=child, status=status)
    WishFactory(application=application, facility=facility)
    OfferFactory(wish=application.wishes.get(), application=application, expires_at=timezone.now())
    Application.objects.filter(pk=application.pk).update(status=status)  # the factory made it "offered"
    client.force_login(staff)
    html = page(client, application).content.decode()
    assert sentence in html
    for parent_voice in ("Your child", "You have an offer", "You withdrew", "Offer received"):
        assert parent_voice not in html
