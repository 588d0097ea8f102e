import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from childcare.constraints import NoOverlapConstraint
from childcare.models.applications import Application, Wish
from childcare.models.children import Child
from childcare.models.choices import AgeBand, OfferStatus, PlacementStatus
from childcare.models.facilities import Facility


class Offer(models.Model):
    """A place offered for one wish, to be accepted before a deadline."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="offers"
    )
    wish = models.ForeignKey(Wish, verbose_name=_("wish"), on_delete=models.CASCADE, related_name="offers")
    start_date = models.DateField(_("start date"))
    expires_at = models.DateTimeField(_("answer by"))
    status = models.CharField(
        _("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status=OfferStatus.OPEN),
                name="offer_one_open_per_application",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="offer_status_expiry_idx")]

    def __str__(self):
        return f"{self.application} → {self.wish.facility}"


class Placement(models.Model):
    """A place taken: the child attends the facility from ``start_date`` until ``end_date``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="placements"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="placements"
    )
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("First day without care; empty if open.")
    )
    care_hours_per_week = models.PositiveSmallIntegerField(_("care scope (hours per week)"))
    source_offer = models.OneToOneField(
        Offer,
        verbose_name=_("from offer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placement",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlacementStatus.choices, default=PlacementStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Daycare software fetches the placements changed since its last call (API ``changed_since``).
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="placement_ends_after_start",
            ),
            NoOverlapConstraint(
                name="placement_no_overlap_per_child",
                key="child",
                start="start_date",
                end="end_date",
                flag="status",
                value=PlacementStatus.ACTIVE,
                violation_error_message=_("This child already has a place in this period."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["facility", "age_band", "status", "start_date"], name="placement_capacity_idx"
            ),
        ]

    def __str__(self):
        return f"{self.child} @ {self.facility} ({self.start_date})"
