from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from childcare.models.choices import StaffRole
from childcare.models.facilities import Facility


class StaffMembership(models.Model):
    """A user who works at a facility and may act on its waitlist."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_memberships",
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="staff_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices, default=StaffRole.STAFF)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "facility"], name="staff_membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.facility} ({self.get_role_display()})"
