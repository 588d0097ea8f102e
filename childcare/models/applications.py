import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from childcare.models.children import Child
from childcare.models.choices import (
    OPEN_APPLICATION_STATUSES,
    ActorKind,
    AgeBand,
    ApplicationStatus,
    EventKind,
    WishStatus,
)
from childcare.models.facilities import Facility

# Crockford's base32 without I, L, O, U: easy to read aloud and type from a letter.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    return "KP-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def new_lottery_number() -> int:
    return secrets.randbelow(2**31 - 1) + 1


class Application(models.Model):
    """One family's request for a place for one child, with ranked wishes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference number"), max_length=16, unique=True, default=new_reference, editable=False
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="applications"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    desired_start_date = models.DateField(_("desired start date"), null=True, blank=True)
    care_hours_per_week = models.PositiveSmallIntegerField(
        _("care scope (hours per week)"), null=True, blank=True
    )
    # The answers to the priority questions: NULL until the family answers, so an unanswered
    # question is never mistaken for "no". A submitted application has all of them answered.
    resides_in_municipality = models.BooleanField(_("lives in the municipality"), null=True, blank=True)
    guardians_working_or_training = models.PositiveSmallIntegerField(
        _("guardians working or in training"), null=True, blank=True
    )
    single_parent = models.BooleanField(_("single parent"), null=True, blank=True)
    hardship_referral = models.BooleanField(_("hardship / youth-office referral"), null=True, blank=True)
    integration_need = models.BooleanField(_("integration need"), null=True, blank=True)
    consent_data_processing = models.BooleanField(_("consent to data processing"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    lottery_number = models.PositiveIntegerField(
        _("lottery number"),
        default=new_lottery_number,
        editable=False,
        help_text=_("Drawn once; breaks ties after submission time."),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    last_confirmed_at = models.DateTimeField(_("interest last confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(status__in=OPEN_APPLICATION_STATUSES),
                name="application_one_open_per_child",
            ),
            models.CheckConstraint(
                condition=Q(guardians_working_or_training__lte=2),
                name="application_working_guardians_at_most_two",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_confirmed_at"], name="application_status_idx")]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES


class Wish(models.Model):
    """One facility on an application, ranked by the family (1 = favourite)."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="wishes"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="wishes"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    age_band = models.CharField(_("age band at start"), max_length=8, choices=AgeBand.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=WishStatus.choices, default=WishStatus.ACTIVE
    )
    points = models.IntegerField(_("points"), default=0)
    points_explanation = models.JSONField(_("points explanation"), default=dict, blank=True)
    sibling_at_facility = models.BooleanField(_("sibling already at this facility"), default=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    announced_position = models.PositiveIntegerField(
        _("last waitlist position told to the family"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The waitlist's condition and order keys, kept by the database (migration 0018's triggers) from
    # the wish's and its application's status, submission time and lottery number, whichever way
    # those are written; read in SQL only (``waitlist.ON_WAITLIST``, ``waitlist.ORDER``): an
    # instance's values are as loaded. With them a list is one index range, not one application
    # read per child on it.
    listed = models.BooleanField(_("on the waitlist"), default=False, db_default=False, editable=False)
    application_submitted_at = models.DateTimeField(
        _("application submitted"), null=True, blank=True, editable=False
    )
    application_lottery_number = models.PositiveIntegerField(
        _("application's lottery number"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("wish")
        verbose_name_plural = _("wishes")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="wish_rank_unique_per_application"),
            models.UniqueConstraint(
                fields=["application", "facility"], name="wish_facility_unique_per_application"
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="wish_rank_positive"),
        ]
        indexes = [
            models.Index(fields=["facility", "age_band", "status", "-points"], name="wish_waitlist_idx"),
            # The lists in waitlist order, with the status the staff page filters on: a list, its
            # top and the entries ahead of a family are one range of this index.
            models.Index(
                fields=[
                    "facility",
                    "age_band",
                    "-points",
                    "application_submitted_at",
                    "application_lottery_number",
                    "id",
                    "status",
                ],
                condition=Q(listed=True),
                name="wish_queue_idx",
            ),
        ]

    def __str__(self):
        return f"{self.application} #{self.rank}: {self.facility}"


class ApplicationEvent(models.Model):
    """One entry in an application's timeline: who changed what, when."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )
    wish = models.ForeignKey(
        Wish, verbose_name=_("wish"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The facility an internal note belongs to (the one its writer acted for): staff of other
    # facilities never see it. Empty for the office's notes and for entries that are not notes.
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_kind = models.CharField(
        _("acted as"), max_length=16, choices=ActorKind.choices, default=ActorKind.SYSTEM
    )
    kind = models.CharField(_("kind"), max_length=40, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    visible_to_parents = models.BooleanField(_("visible to parents"), default=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["application", "created_at"], name="event_timeline_idx")]

    def __str__(self):
        return f"{self.application} {self.kind}"
