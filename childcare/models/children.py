import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Child(models.Model):
    """A child (possibly not yet born) that guardians seek a place for."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    birth_date_is_expected = models.BooleanField(
        _("expected date of birth"),
        default=False,
        help_text=_("The child is not born yet; the date is the expected date of birth."),
    )
    needs_integration_support = models.BooleanField(_("needs integration support"), default=False)
    needs_notes = models.TextField(_("special needs"), blank=True)
    home_languages = models.CharField(_("languages spoken at home"), max_length=200, blank=True)
    guardians = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Guardianship",
        related_name="children",
        verbose_name=_("guardians"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class Guardianship(models.Model):
    """Links a user to a child they may act for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("guardian"),
        on_delete=models.CASCADE,
        related_name="guardianships",
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="guardianships"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")
        constraints = [
            models.UniqueConstraint(fields=["user", "child"], name="guardianship_unique"),
        ]

    def __str__(self):
        return f"{self.user} → {self.child}"
