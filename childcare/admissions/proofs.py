"""Proofs attached to an application, and invitations for a second guardian."""

from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childcare import permissions
from childcare.actors import Actor, require_actor
from childcare.admissions.uploads import check_upload
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
from notifications.services import notify

CRITERION_LABELS = {
    "residence": gettext_lazy("Proof of residence"),
    "employment": gettext_lazy("Proof of employment or training"),
    "single_parent": gettext_lazy("Proof of being a single parent"),
    "hardship": gettext_lazy("Youth-office referral"),
    "integration": gettext_lazy("Proof of integration need"),
    "other": gettext_lazy("Other document"),
}
DOCUMENT_CRITERIA = tuple(CRITERION_LABELS)
MAX_DOCUMENTS = 10


def attach_document(*, application: Application, by: Actor, criterion: str, upload) -> ApplicationDocument:
    """Store a proof; refused unless it is a PDF, JPEG or PNG by content and within the size limit."""
    require_actor(by)
    if not permissions.can_manage_application(by, application):
        raise DomainError(_("You are not a guardian of this child."))
    if criterion not in DOCUMENT_CRITERIA:
        raise DomainError(_("Choose what the document proves."))
    checked = check_upload(upload)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status not in (ApplicationStatus.DRAFT, *WAITING_APPLICATION_STATUSES):
            raise DomainError(_("This application can no longer be changed."))
        if application.documents.count() >= MAX_DOCUMENTS:
            raise DomainError(_("At most %(count)s documents per application.") % {"count": MAX_DOCUMENTS})
        return ApplicationDocument.objects.create(
            application=application,
            criterion=criterion,
            # The checked content, not the upload: images are stored re-encoded, without trailer or metadata.
            file=ContentFile(checked.content, name=checked.name),
            original_name=checked.name,
            content_type=checked.content_type,
            size=len(checked.content),
            uploaded_by=by,
        )


def remove_document(*, document: ApplicationDocument, by: Actor) -> None:
    require_actor(by)
    if not permissions.can_manage_application(by, document.application):
        raise DomainError(_("You are not a guardian of this child."))
    if document.application.status not in (ApplicationStatus.DRAFT, *WAITING_APPLICATION_STATUSES):
        raise DomainError(_("This application can no longer be changed."))
    with transaction.atomic():
        document.delete()
        delete_files_on_commit([document.file.name])


def delete_files_on_commit(names: Iterable[str]) -> None:
    """Delete stored proof files once the transaction that removes their rows has committed.

    A rolled-back removal keeps the files with their rows. A deletion that fails after the
    commit leaves an orphan, which the nightly retention run removes.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Proof files are deleted after the commit of the transaction removing their rows")
    names = [name for name in names if name]
    storage = ApplicationDocument._meta.get_field("file").storage

    def delete_files():
        for name in names:
            storage.delete(name)

    # robust: the rows are gone for good by now, so a storage error must not fail the request.
    transaction.on_commit(delete_files, robust=True)


def invite_guardian(*, child: Child, by: Actor, email: str) -> GuardianInvitation:
    """Invite another adult to see and manage this child; the e-mail is written with the invitation.

    The invited person may have no account yet, so the message goes to the address, in the
    inviter's language, and appears in nobody's inbox.
    """
    require_actor(by)
    if not permissions.is_guardian(by, child):
        raise DomainError(_("You are not a guardian of this child."))
    email = email.strip().lower()
    if child.guardianships.filter(user__email__iexact=email).exists():
        raise DomainError(_("This person is already a guardian of the child."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                invitation = GuardianInvitation.objects.create(child=child, email=email, invited_by=by)
        except IntegrityError:
            raise DomainError(_("This address has already been invited.")) from None
        notify(
            to_email=email,
            language=by.language,
            kind="guardian_invitation",
            dedupe_key=f"guardian_invitation:{invitation.public_id}",
            context={
                "invitation": invitation,
                "child": child,
                "inviter": by,
                "link": settings.SITE_URL + reverse("parents:invitation_accept", args=[invitation.public_id]),
            },
        )
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
