"""Children and who may act for them."""

from django.db import transaction
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.actors import Actor, require_actor
from childcare.admissions.proofs import delete_files_on_commit
from childcare.errors import DomainError
from childcare.models import ApplicationDocument, ApplicationStatus, Child, Guardianship, PlacementStatus


def add_child(*, by: Actor, **fields) -> Child:
    """Register a child with ``by`` as its first guardian."""
    if not require_actor(by).is_authenticated:
        raise DomainError(_("Please sign in first."))
    with transaction.atomic():
        child = Child.objects.create(**fields)
        Guardianship.objects.create(user=by, child=child)
    return child


def update_child(*, child: Child, by: Actor, **fields) -> Child:
    require_actor(by)
    if not permissions.is_guardian(by, child):
        raise DomainError(_("You are not a guardian of this child."))
    for name, value in fields.items():
        setattr(child, name, value)
    child.save()
    return child


def remove_child(*, child: Child, by: Actor) -> None:
    """Remove a child and its drafts; refused while an application runs or a place exists.

    The drafts' proof files are deleted after the commit, so a rolled-back removal keeps them.
    """
    require_actor(by)
    if not permissions.is_guardian(by, child):
        raise DomainError(_("You are not a guardian of this child."))
    with transaction.atomic():
        child = Child.objects.select_for_update().get(pk=child.pk)
        running = child.applications.exclude(
            status__in=(ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN, ApplicationStatus.CLOSED)
        )
        if running.exists() or child.placements.filter(status=PlacementStatus.ACTIVE).exists():
            raise DomainError(
                _("This child has a submitted application or a place. Withdraw the application first.")
            )
        proofs = ApplicationDocument.objects.filter(application__child=child)
        delete_files_on_commit(list(proofs.values_list("file", flat=True)))
        child.delete()
