"""Staff see an application only while their facility has a live wish or a placement (need to know)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from childcare.admissions import applications as family_services
from childcare.admissions import waitlist_actions as staff_services
from childcare.models import (
    ApplicationDocument,
    ApplicationStatus,
    EventKind,
    OfferStatus,
    WishStatus,
)
from tests.factories import (
    ApplicationFactory,
    FacilityFactory,
    OfferFactory,
    PlacementFactory,
    StaffMembershipFactory,
    UserFactory,
    WishFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def krippe(db):
    return FacilityFactory(name="Krippe Zwergenland")


@pytest.fixture
def hort(db):
    return FacilityFactory(name="Hort Sonnenschein")


@pytest.fixture
def krippe_leader(krippe):
    return StaffMembershipFactory(facility=krippe).user


@pytest.fixture
def hort_leader(hort):
    return StaffMembershipFactory(facility=hort).user


@pytest.fixture
def two_wishes(child, krippe, hort):
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    first = WishFactory(application=application, facility=krippe, rank=1)
    second = WishFactory(application=application, facility=hort, rank=2)
    return application, first, second


def _page(client, application):
    return client.get(reverse("backoffice:application", args=[application.public_id]))


def _proof(application) -> ApplicationDocument:
    return ApplicationDocument.objects.create(
        application=application,
        criterion="residence",
        file=ContentFile(PDF, name="proof.pdf"),
        original_name="proof.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )


def test_withdrawing_the_wish_ends_the_facilitys_access(client, parent, two_wishes, krippe_leader):
    application, krippe_wish, _hort_wish = two_wishes
    document = _proof(application)
    client.force_login(krippe_leader)
    assert _page(client, application).status_code == 200
    receipt = reverse("letters:application_receipt_pdf", args=[application.public_id])
    assert client.get(receipt).status_code == 200

    family_services.withdraw_wish(wish=krippe_wish, by=parent)

    assert _page(client, application).status_code == 404
    assert client.get(receipt).status_code == 404
    assert client.get(reverse("parents:document_download", args=[document.public_id])).status_code == 404
    response = client.post(reverse("backoffice:note_add", args=[application.public_id]), {"text": "Noch da?"})
    assert response.status_code == 404
    assert not application.events.filter(kind=EventKind.NOTE).exists()


def test_a_placement_elsewhere_ends_access_and_does_not_tell_where(client, two_wishes, krippe, hort_leader):
    application, krippe_wish, hort_wish = two_wishes
    offer = OfferFactory(wish=krippe_wish, status=OfferStatus.ACCEPTED)
    placement = PlacementFactory(child=application.child, facility=krippe, source_offer=offer)
    krippe_wish.status = WishStatus.ACCEPTED
    krippe_wish.save()
    hort_wish.status = WishStatus.INACTIVE
    hort_wish.save()
    application.status = ApplicationStatus.PLACED
    application.save()
    client.force_login(hort_leader)
    assert _page(client, application).status_code == 404
    assert (
        client.get(reverse("letters:placement_confirmation_pdf", args=[placement.public_id])).status_code
        == 404
    )
    assert client.get(reverse("letters:offer_letter_pdf", args=[offer.public_id])).status_code == 404


def test_staff_see_only_their_facilitys_part(
    client, parent, two_wishes, krippe, hort, krippe_leader, hort_leader
):
    application, krippe_wish, hort_wish = two_wishes
    staff_services.add_note(application=application, by=hort_leader, text="Hort-interne Notiz")
    staff_services.add_note(application=application, by=krippe_leader, text="Krippe-interne Notiz")
    OfferFactory(wish=hort_wish)
    client.force_login(krippe_leader)
    page = _page(client, application).content.decode()
    assert "Krippe-interne Notiz" in page
    assert "Hort-interne Notiz" not in page
    assert hort.name not in page  # neither its wish, its offer nor its notes
    assert parent.email not in page  # no offer or placement with the Krippe yet

    client.force_login(hort_leader)
    page = _page(client, application).content.decode()
    assert "Hort-interne Notiz" in page
    assert "Krippe-interne Notiz" not in page
    assert krippe.name not in page
    assert parent.email in page  # the Hort made an offer: it may contact the family


def test_notes_record_the_facility_they_belong_to(two_wishes, krippe, krippe_leader, municipal_office):
    application, _krippe_wish, _hort_wish = two_wishes
    note = staff_services.add_note(application=application, by=krippe_leader, text="x")
    assert note.facility == krippe
    assert staff_services.add_note(application=application, by=municipal_office, text="y").facility is None


def test_the_office_sees_everything(client, parent, two_wishes, krippe, hort, hort_leader, municipal_office):
    application, *_ = two_wishes
    staff_services.add_note(application=application, by=hort_leader, text="Hort-interne Notiz")
    client.force_login(municipal_office)
    page = _page(client, application).content.decode()
    assert krippe.name in page
    assert hort.name in page
    assert "Hort-interne Notiz" in page
    assert parent.email in page


def test_a_drafts_proof_is_404_for_staff_who_know_its_id(client, child, krippe, krippe_leader):
    application = ApplicationFactory(child=child, status=ApplicationStatus.DRAFT, submitted_at=None)
    WishFactory(application=application, facility=krippe)
    document = _proof(application)
    client.force_login(krippe_leader)
    assert client.get(reverse("parents:document_download", args=[document.public_id])).status_code == 404


def test_a_refused_proof_delete_is_a_plain_404(client, two_wishes, krippe_leader):
    application, *_ = two_wishes
    document = _proof(application)
    for user in (krippe_leader, UserFactory()):
        client.force_login(user)
        response = client.post(reverse("parents:document_delete", args=[document.public_id]))
        assert response.status_code == 404
        assert "Location" not in response.headers
        assert str(application.public_id) not in response.content.decode()
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
