import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AllocationRound(models.Model):
    """A central allocation by deferred acceptance; keeps its inputs and results for audit (as rows)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPUTED = "computed", _("Computed")
        PUBLISHING = "publishing", _("Being published")
        PUBLISHED = "published", _("Published")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    target_start_date = models.DateField(_("target start date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # The inputs and results are rows (``RoundProgram``, ``RoundApplicant``); these are their sums.
    statistics = models.JSONField(_("statistics"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    offers_expire_at = models.DateTimeField(
        _("offers expire at"),
        null=True,
        blank=True,
        help_text=_("The one deadline of every offer this round makes, chosen when publishing starts."),
    )

    class Meta:
        verbose_name = _("allocation round")
        verbose_name_plural = _("allocation rounds")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.target_start_date} ({self.get_status_display()})"
