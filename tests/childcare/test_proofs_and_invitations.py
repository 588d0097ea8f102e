import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from childcare.admissions import proofs
from childcare.models import ApplicationDocument, ApplicationStatus, GuardianInvitation, Guardianship
from notifications.models import OutboxMessage
from tests.childcare.upload_samples import PDF, PNG
from tests.factories import ApplicationFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]


@pytest.fixture
def application(child):
    return ApplicationFactory(child=child, status=ApplicationStatus.WAITING)


def upload(client, application, name, content, criterion="residence"):
    return client.post(
        reverse("parents:document_upload", args=[application.public_id]),
        {"criterion": criterion, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        follow=True,
    )


def test_a_pdf_or_png_proof_is_stored_and_downloadable_by_the_family_and_staff(
    client, parent, application, staff, facility
):
    client.force_login(parent)
    upload(client, application, "meldebescheinigung.pdf", PDF)
    upload(client, application, "arbeitgeber.png", PNG, criterion="employment")
    documents = {d.original_name: d for d in ApplicationDocument.objects.all()}
    assert {d.content_type for d in documents.values()} == {"application/pdf", "image/png"}
    pdf = documents["meldebescheinigung.pdf"]
    response = client.get(reverse("parents:document_download", args=[pdf.public_id]))
    assert b"".join(response.streaming_content) == PDF
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    application.wishes.create(facility=facility, rank=1, age_band="ue3")
    client.force_login(staff)
    assert client.get(reverse("parents:document_download", args=[pdf.public_id])).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("fake.pdf", b"MZ\x90\x00 this is an executable", "Only PDF, JPEG or PNG files"),
        ("script.pdf", b"<script>alert(1)</script>", "Only PDF, JPEG or PNG files"),
        ("empty.pdf", b"", "The submitted file is empty"),
    ],
)
def test_uploads_that_are_not_pdf_jpeg_or_png_by_content_are_refused(
    client, parent, application, name, content, message
):
    client.force_login(parent)
    response = upload(client, application, name, content)
    assert message in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_an_upload_over_the_limit_is_refused(client, parent, application, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(parent)
    response = upload(client, application, "big.pdf", PDF + b"0" * 2048)
    assert "The file is too large. At most 1.0\xa0KB are allowed." in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_outsiders_cannot_upload_download_or_delete(client, parent, application, other_parent, other_staff):
    client.force_login(parent)
    upload(client, application, "a.pdf", PDF)
    document = ApplicationDocument.objects.get()
    for user in (other_parent, other_staff):
        client.force_login(user)
        assert upload(client, application, "b.pdf", PDF).status_code == 404
        assert client.get(reverse("parents:document_download", args=[document.public_id])).status_code == 404
        assert client.post(reverse("parents:document_delete", args=[document.public_id])).status_code == 404
    assert ApplicationDocument.objects.count() == 1


def test_a_second_guardian_is_invited_and_then_manages_the_child(client, parent, child, application):
    client.force_login(parent)
    client.post(reverse("parents:guardian_invite", args=[child.public_id]), {"email": "Partner@Example.org"})
    invitation = GuardianInvitation.objects.get()
    assert invitation.email == "partner@example.org"
    assert mail.outbox[-1].to == ["partner@example.org"]
    assert f"/einladungen/{invitation.public_id}/" in mail.outbox[-1].body
    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)
    assert client.post(reverse("parents:invitation_accept", args=[invitation.public_id])).status_code == 404
    partner = UserFactory(email="partner@example.org")
    client.force_login(partner)
    client.post(reverse("parents:invitation_accept", args=[invitation.public_id]))
    assert Guardianship.objects.filter(user=partner, child=child).exists()
    assert reverse("parents:application_list") in client.get(reverse("parents:child_list")).content.decode()
    assert application.reference in client.get(reverse("parents:application_list")).content.decode()


def test_inviting_twice_or_from_outside_is_refused(client, parent, child, other_parent):
    client.force_login(parent)
    client.post(reverse("parents:guardian_invite", args=[child.public_id]), {"email": "partner@example.org"})
    response = client.post(
        reverse("parents:guardian_invite", args=[child.public_id]), {"email": "partner@example.org"}
    )
    assert "already been invited" in response.content.decode()
    client.force_login(other_parent)
    assert (
        client.post(
            reverse("parents:guardian_invite", args=[child.public_id]), {"email": "x@example.org"}
        ).status_code
        == 404
    )
    assert GuardianInvitation.objects.count() == 1


def test_the_invitation_goes_through_the_outbox_to_the_invited_address(parent, child):
    parent.language = "en"
    parent.save()
    invitation = proofs.invite_guardian(child=child, by=parent, email=" Partner@Example.org ")
    message = OutboxMessage.objects.get()
    assert message.dedupe_key == f"guardian_invitation:{invitation.public_id}"
    assert (message.recipient, message.to_email, message.language) == (None, "partner@example.org", "en")
    assert message.status == OutboxMessage.Status.SENT
    link = "http://127.0.0.1:8000" + reverse("parents:invitation_accept", args=[invitation.public_id])
    assert link.endswith(f"/einladungen/{invitation.public_id}/")
    [email] = mail.outbox
    assert email.to == ["partner@example.org"]
    assert link in email.body
    assert f'href="{link}"' in email.alternatives[0].content


def test_a_rolled_back_invitation_writes_and_sends_nothing(parent, child):
    with pytest.raises(RuntimeError), transaction.atomic():
        proofs.invite_guardian(child=child, by=parent, email="partner@example.org")
        assert OutboxMessage.objects.count() == 1  # written with the invitation, in its transaction
        raise RuntimeError("the request failed after the invitation")
    assert not GuardianInvitation.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_the_invitation_shows_in_nobodys_inbox(client, parent, child):
    proofs.invite_guardian(child=child, by=parent, email="partner@example.org")
    partner = UserFactory(email="partner@example.org")
    for user in (parent, partner):
        client.force_login(user)
        response = client.get(reverse("notifications:inbox"))
        assert list(response.context["page"]) == []
    assert OutboxMessage.objects.get().recipient is None


def test_an_invitation_for_someone_else_or_used_says_what_to_do(
    client, parent, child, other_parent, in_english
):
    client.force_login(parent)
    client.post(reverse("parents:guardian_invite", args=[child.public_id]), {"email": "partner@example.org"})
    invitation = GuardianInvitation.objects.get()
    client.force_login(other_parent)
    response = client.get(reverse("parents:invitation_accept", args=[invitation.public_id]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This invitation cannot be opened" in html
    assert "other.parent@example.org" in html
    assert "ask the person who invited you for a new invitation" in html
    assert child.first_name not in html  # the page tells nothing about the child to a stranger
    assert client.post(reverse("parents:invitation_accept", args=[invitation.public_id])).status_code == 404
    assert not Guardianship.objects.filter(user=other_parent).exists()
