"""Proofs attached to an application, and invitations for a second guardian."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.actors import Actor, require_actor
from childcare.admissions.uploads import sniff_content_type
from childcare.errors import DomainError
from childcare.models import (
    WAITING_APPLICATION_STATUSES,
    Application,
    ApplicationDocument,
    ApplicationStatus,
    Child,
    GuardianInvitation,
    Guardianship,
)

DOCUMENT_CRITERIA = ("residence", "employment", "single_parent", "hardship", "integration", "other")
MAX_DOCUMENTS = 10


def attach_document(*, application: Application, by: Actor, criterion: str, upload) -> ApplicationDocument:
    """Store a proof; refused unless it is a PDF, JPEG or PNG by content and within the size limit."""
    require_actor(by)
    if not permissions.can_manage_application(by, application):
        raise DomainError(_("You are not a guardian of this child."))
    if criterion not in DOCUMENT_CRITERIA:
        raise DomainError(_("Choose what the document proves."))
    content_type = sniff_content_type(upload)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in (ApplicationStatus.DRAFT, *WAITING_APPLICATION_STATUSES):
            raise DomainError(_("This application can no longer be changed."))
        if application.documents.count() >= MAX_DOCUMENTS:
            raise DomainError(_("At most %(count)s documents per application.") % {"count": MAX_DOCUMENTS})
        return ApplicationDocument.objects.create(
            application=application,
            criterion=criterion,
            file=upload,
            original_name=upload.name[-200:],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )


def remove_document(*, document: ApplicationDocument, by: Actor) -> None:
    require_actor(by)
    if not permissions.can_manage_application(by, document.application):
        raise DomainError(_("You are not a guardian of this child."))
    if document.application.status not in (ApplicationStatus.DRAFT, *WAITING_APPLICATION_STATUSES):
        raise DomainError(_("This application can no longer be changed."))
    document.file.delete(save=False)
    document.delete()


def invite_guardian(*, child: Child, by: Actor, email: str) -> GuardianInvitation:
    """Invite another adult to see and manage this child; the e-mail goes out after the commit."""
    require_actor(by)
    if not permissions.is_guardian(by, child):
        raise DomainError(_("You are not a guardian of this child."))
    email = email.strip().lower()
    if child.guardianships.filter(user__email__iexact=email).exists():
        raise DomainError(_("This person is already a guardian of the child."))
    try:
        with transaction.atomic():
            invitation = GuardianInvitation.objects.create(child=child, email=email, invited_by=by)
    except IntegrityError:
        raise DomainError(_("This address has already been invited.")) from None
    link = f"{settings.SITE_URL}/einladungen/{invitation.public_id}/"
    with translation.override(by.language):
        subject = _("Invitation to manage a daycare application")
        body = render_to_string(
            "childcare/children/invitation_email.txt", {"invitation": invitation, "link": link, "inviter": by}
        )
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation


def accept_invitation(*, invitation: GuardianInvitation, by: Actor) -> Guardianship:
    """The invited person, signed in with the invited address, becomes a guardian too."""
    if not require_actor(by).is_authenticated:
        raise DomainError(_("Please sign in first."))
    if by.email.lower() != invitation.email or invitation.accepted_at is not None:
        raise DomainError(_("This invitation is not for you or was already used."))
    with transaction.atomic():
        guardianship, _created = Guardianship.objects.get_or_create(user=by, child=invitation.child)
        GuardianInvitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    return guardianship
