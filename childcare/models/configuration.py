import calendar
import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from childcare.admissions.priority import PointsPolicy
from childcare.age import age_band_on, school_entry_date
from childcare.models.choices import AgeBand


class SingletonModel(models.Model):
    """A table with exactly one row (pk 1), created with defaults on first read."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        instance, _created = cls.objects.get_or_create(pk=1)
        return instance


class PortalSettings(SingletonModel):
    """How this municipality runs its portal; editable by the municipal office."""

    municipality_name = models.CharField(_("municipality"), max_length=100, default="Musterstadt")
    portal_name = models.CharField(_("portal name"), max_length=100, default="Kita-Portal")
    contact_email = models.EmailField(_("contact e-mail"), default="kita@musterstadt.example")
    max_wishes = models.PositiveSmallIntegerField(
        _("maximum wishes per application"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    offer_window_days = models.PositiveSmallIntegerField(
        _("days to answer an offer"), default=14, validators=[MinValueValidator(1)]
    )
    reminder_lead_days = models.PositiveSmallIntegerField(
        _("reminder days before an offer's deadline"), default=3
    )
    reconfirmation_interval_months = models.PositiveSmallIntegerField(
        _("re-confirmation interval (months)"), default=6, validators=[MinValueValidator(1)]
    )
    retention_months = models.PositiveSmallIntegerField(
        _("keep closed records for (months)"),
        default=24,
        validators=[MinValueValidator(1)],
        help_text=_("After this time, closed applications are anonymised and old messages deleted."),
    )
    position_improvement_step = models.PositiveSmallIntegerField(
        _("tell families when their waitlist place improves by at least"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    reconfirmation_grace_days = models.PositiveSmallIntegerField(
        _("re-confirmation grace period (days)"), default=30
    )
    school_entry_month = models.PositiveSmallIntegerField(
        _("school entry month"), default=8, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    school_entry_day = models.PositiveSmallIntegerField(
        _("school entry day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    school_cutoff_month = models.PositiveSmallIntegerField(
        _("school cut-off month"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Children who turn 6 by this day start school on the next school entry date."),
    )
    school_cutoff_day = models.PositiveSmallIntegerField(
        _("school cut-off day"), default=30, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    year_start_month = models.PositiveSmallIntegerField(
        _("daycare year start month"), default=8, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    year_start_day = models.PositiveSmallIntegerField(
        _("daycare year start day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    imprint = models.TextField(
        _("imprint"),
        default="Stadt Musterstadt\nFachbereich Kinderbetreuung\nRathausplatz 1\n"
        "63000 Musterstadt\n\n(Platzhalter – bitte durch das Impressum Ihrer Kommune ersetzen.)",
    )
    privacy_notice = models.TextField(
        _("privacy notice"),
        default="(Platzhalter – bitte durch die Datenschutzerklärung Ihrer Kommune ersetzen.)",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("portal settings")
        verbose_name_plural = _("portal settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="portal_settings_single_row"),
            models.CheckConstraint(
                condition=Q(max_wishes__gte=1, max_wishes__lte=10), name="portal_settings_max_wishes_range"
            ),
        ]

    def __str__(self):
        return str(_("Portal settings"))

    @property
    def school_calendar(self) -> dict[str, tuple[int, int]]:
        return {
            "entry": (self.school_entry_month, self.school_entry_day),
            "cutoff": (self.school_cutoff_month, self.school_cutoff_day),
        }

    def age_band_on(self, birth_date: datetime.date, day: datetime.date) -> AgeBand:
        """The age band on ``day`` under this municipality's school calendar."""
        return age_band_on(birth_date, day, **self.school_calendar)

    def school_entry_for(self, birth_date: datetime.date) -> datetime.date:
        """The day a child born on ``birth_date`` starts school here (and leaves Ü3)."""
        return school_entry_date(birth_date, **self.school_calendar)

    def next_year_start(self, today: datetime.date) -> datetime.date:
        """The next start of the daycare year on or after ``today`` (1 August unless configured)."""

        def year_start(year: int) -> datetime.date:
            last_day = calendar.monthrange(year, self.year_start_month)[1]
            return datetime.date(year, self.year_start_month, min(self.year_start_day, last_day))

        this_year = year_start(today.year)
        return this_year if this_year >= today else year_start(today.year + 1)


class PriorityPolicy(SingletonModel):
    """Points per priority criterion; ties go to earlier submission, then the lottery number."""

    residence_points = models.PositiveSmallIntegerField(_("residence in the municipality"), default=30)
    legal_entitlement_points = models.PositiveSmallIntegerField(
        _("legal entitlement at start (at least 1 year old)"), default=20
    )
    single_parent_points = models.PositiveSmallIntegerField(_("single parent"), default=15)
    working_guardian_points = models.PositiveSmallIntegerField(
        _("each guardian working or in training"), default=10
    )
    hardship_points = models.PositiveSmallIntegerField(_("hardship / youth-office referral"), default=50)
    sibling_points = models.PositiveSmallIntegerField(_("sibling already at the facility"), default=8)
    month_waited_points = models.PositiveSmallIntegerField(_("each full month waited"), default=1)
    months_waited_cap = models.PositiveSmallIntegerField(_("months waited counted at most"), default=24)
    show_positions_to_parents = models.BooleanField(_("show waitlist positions to parents"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("priority policy")
        verbose_name_plural = _("priority policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="priority_policy_single_row")]

    def __str__(self):
        return str(_("Priority policy"))

    def as_points_policy(self) -> PointsPolicy:
        return PointsPolicy(
            residence=self.residence_points,
            legal_entitlement=self.legal_entitlement_points,
            single_parent=self.single_parent_points,
            working_guardian=self.working_guardian_points,
            hardship=self.hardship_points,
            sibling=self.sibling_points,
            month_waited=self.month_waited_points,
            months_waited_cap=self.months_waited_cap,
        )
