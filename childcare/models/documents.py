import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from childcare.models.applications import Application
from childcare.models.children import Child


def _document_path(instance, filename):
    # The stored name never repeats the uploaded one: no personal data in paths, no collisions.
    return f"documents/{instance.application.public_id}/{instance.public_id}"


class ApplicationDocument(models.Model):
    """A proof a family uploaded for a priority criterion; private, served only after a permission check."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="documents"
    )
    criterion = models.CharField(_("for criterion"), max_length=40)
    file = models.FileField(_("file"), upload_to=_document_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class GuardianInvitation(models.Model):
    """An invitation for a second guardian, accepted by signing in with the invited address."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("guardian invitation")
        verbose_name_plural = _("guardian invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="guardian_invitation_one_open_per_address",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.child}"
