"""Families download all their data and delete their account; the privacy page follows the settings."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from childcare.models import (
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Child,
    Offer,
    OfferStatus,
    WishStatus,
)
from portal.models import PortalSettings, User
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    GuardianshipFactory,
    OfferFactory,
    UserFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def application(child, facility):
    application = ApplicationFactory(child=child, status=ApplicationStatus.WAITING)
    WishFactory(application=application, facility=facility)
    return application


def _proof(application):
    return ApplicationDocument.objects.create(
        application=application,
        criterion="residence",
        file=ContentFile(PDF, name="meldung.pdf"),
        original_name="meldung.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )


def test_the_download_holds_json_a_pdf_summary_and_the_proofs(client, parent, child, application):
    document = _proof(application)
    client.force_login(parent)
    response = client.get(reverse("account_data_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == parent.email
    assert data["children"][0]["first_name"] == child.first_name
    assert data["children"][0]["applications"][0]["reference"] == application.reference
    assert archive.read("summary.pdf").startswith(b"%PDF")
    assert archive.read(f"proofs/{document.public_id}-meldung.pdf") == PDF


def test_the_download_does_not_hold_other_families_data(client, parent, other_parent, application):
    client.force_login(other_parent)
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("account_data_download")).content))
    assert json.loads(archive.read("data.json"))["children"] == []


def test_deleting_the_account_withdraws_passes_the_offer_on_and_anonymises(
    client, parent, child, facility, application, django_capture_on_commit_callbacks
):
    CapacityFactory(facility=facility)
    offer = OfferFactory(wish=application.wishes.get())
    document = _proof(application)
    storage = document.file.storage
    name = document.file.name
    client.force_login(parent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_data"), {"email": parent.email})
    assert response.status_code == 302
    assert not User.objects.filter(pk=parent.pk).exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert Offer.objects.get(pk=offer.pk).status != OfferStatus.OPEN
    child = Child.objects.get(pk=child.pk)
    assert child.first_name == "–"
    assert not ApplicationDocument.objects.exists()
    assert not storage.exists(name)
    assert Application.objects.filter(pk=application.pk).exists()  # kept, anonymous, for statistics


def test_a_shared_child_stays_with_the_other_guardian(client, parent, child, application):
    co_guardian = UserFactory()
    GuardianshipFactory(user=co_guardian, child=child)
    client.force_login(parent)
    client.post(reverse("account_data"), {"email": parent.email})
    child.refresh_from_db()
    application.refresh_from_db()
    assert child.first_name != "–"
    assert application.status == ApplicationStatus.WAITING
    assert application.wishes.get().status == WishStatus.ACTIVE
    assert list(child.guardianships.values_list("user", flat=True)) == [co_guardian.pk]


def test_a_wrong_confirmation_deletes_nothing(client, parent, application):
    client.force_login(parent)
    response = client.post(reverse("account_data"), {"email": "someone@else.example"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert User.objects.filter(pk=parent.pk).exists()


def test_staff_accounts_are_not_deleted_by_their_owner(client, staff):
    client.force_login(staff)
    client.post(reverse("account_data"), {"email": staff.email})
    assert User.objects.filter(pk=staff.pk).exists()


def test_the_privacy_page_names_the_retention_periods_from_the_settings(client, settings):
    portal = PortalSettings.load()
    portal.retention_months = 17
    portal.save()
    settings.AUDIT_RETENTION_MONTHS = 31
    client.cookies["django_language"] = "en"
    page = client.get(reverse("privacy")).content.decode()
    assert "17 months" in page
    assert "31 months" in page
