import calendar
import datetime
import time

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who signs in with an e-mail address: a parent, facility staff or municipal office."""

    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=Language.choices,
        default=Language.GERMAN,
        help_text=_("Language of e-mails and PDF documents."),
    )
    is_municipal_office = models.BooleanField(
        _("municipal office"),
        default=False,
        help_text=_("Sees all facilities and manages policy, settings and allocation rounds."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


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
    """How this municipality runs its portal; editable by the municipal office.

    Nearly every page reads it, so each process keeps the row for ``CACHE_SECONDS``: a change
    saved in one process applies there at once (``save`` forgets the copy) and in every other
    web or worker process within that time. Change it with ``save`` (the admin does), not with a
    query set's ``update``, which only the other processes' expiry would notice.
    """

    CACHE_SECONDS = 10
    _cached: tuple[float, list[str], list] | None = None

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
    # English texts: shown to English readers when filled, otherwise the German one (portal.languages).
    imprint_en = models.TextField(_("imprint (English)"), blank=True)
    privacy_notice_en = models.TextField(_("privacy notice (English)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        # The table was created by the childcare app before the settings moved to the project.
        db_table = "childcare_portalsettings"
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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        type(self).forget_cached()
        # Another thread may cache the old row again until this commits.
        transaction.on_commit(type(self).forget_cached)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        type(self).forget_cached()
        return result

    @classmethod
    def load(cls):
        """The settings row, from this process's copy while it is fresh; a new instance each call,
        so a caller changing it changes nobody else's."""
        cached = cls._cached
        if cached is not None and time.monotonic() - cached[0] < cls.CACHE_SECONDS:
            return cls.from_db("default", cached[1], cached[2])
        instance = super().load()
        # A row read inside a transaction may yet be rolled back: only committed rows are kept.
        if not transaction.get_connection().in_atomic_block:
            names = [field.attname for field in cls._meta.concrete_fields]
            cls._cached = (time.monotonic(), names, [getattr(instance, name) for name in names])
        return instance

    @classmethod
    def forget_cached(cls) -> None:
        cls._cached = None

    @property
    def school_calendar(self) -> dict[str, tuple[int, int]]:
        return {
            "entry": (self.school_entry_month, self.school_entry_day),
            "cutoff": (self.school_cutoff_month, self.school_cutoff_day),
        }

    def next_year_start(self, today: datetime.date) -> datetime.date:
        """The next start of the daycare year on or after ``today`` (1 August unless configured)."""

        def year_start(year: int) -> datetime.date:
            last_day = calendar.monthrange(year, self.year_start_month)[1]
            return datetime.date(year, self.year_start_month, min(self.year_start_day, last_day))

        this_year = year_start(today.year)
        return this_year if this_year >= today else year_start(today.year + 1)


class WorkerHeartbeat(SingletonModel):
    """When a Celery worker last ran the heartbeat task that beat schedules.

    A recent time proves the whole chain works: beat schedules, the broker carries, a worker runs
    and writes to the database. /health/ reads it with one query instead of asking workers over
    the broker and waiting for their answers.
    """

    beat_at = models.DateTimeField(_("last heartbeat"), null=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeat")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="worker_heartbeat_single_row")]

    def __str__(self):
        return str(self.beat_at)


class AuditEntryQuerySet(models.QuerySet):
    """Append-only: no bulk update or delete except the retention purge (``portal.audit.purge``)."""

    def update(self, **kwargs):
        raise PermissionError("Audit entries cannot be changed.")

    def delete(self):
        raise PermissionError("Audit entries cannot be deleted; the retention purge removes old ones.")


class AuditEntry(models.Model):
    """One line of the audit log: who did what to which object, when, from where.

    Written only by ``portal.audit``; never changed. On PostgreSQL a trigger refuses UPDATE and
    DELETE (except the retention purge), here ``save``, ``delete`` and the query set refuse them.
    """

    class Action(models.TextChoices):
        READ = "read", _("Read")
        LIST = "list", _("List read")
        EXPORT = "export", _("Export")
        CHANGE = "change", _("Change")
        ADMIN_CHANGE = "admin_change", _("Change in the admin")
        SIGN_IN = "sign_in", _("Sign-in")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        SIGN_OUT = "sign_out", _("Sign-out")
        API_KEY_USED = "api_key_used", _("API key used")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # A plain number, no foreign key: deleting an account must not UPDATE (SET NULL) the log,
    # which the append-only trigger would refuse; the e-mail at the time stays in actor_label.
    actor_user_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("who (at the time)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, db_index=True)
    object_ref = models.CharField(_("object"), max_length=200, blank=True, db_index=True)
    detail = models.TextField(_("detail"), blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_ref}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries cannot be deleted.")
