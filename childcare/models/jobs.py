import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.models.rounds import AllocationRound

# A queued or running job that has not moved for this long lost its worker (or its broker
# message); the office may then resume it. Running it twice is safe: every job is idempotent.
STALLED_AFTER = datetime.timedelta(minutes=10)


class BackgroundJob(models.Model):
    """Long work started from a page and done by a Celery worker, with its progress for a progress page.

    ``done`` is committed together with the work it counts, so after a crash it says exactly
    where to resume.
    """

    class Kind(models.TextChoices):
        ROUND_PUBLISH = "round_publish", _("Publishing an allocation round")
        POLICY_RESCORING = "policy_rescoring", _("Re-scoring wishes after a policy change")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    allocation_round = models.ForeignKey(
        AllocationRound,
        verbose_name=_("allocation round"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progressed_at = models.DateTimeField(_("last progress"), default=timezone.now)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        constraints = [
            # Backs "publish refuses a second start while a job runs" in the database.
            models.UniqueConstraint(
                fields=["allocation_round"],
                condition=Q(kind="round_publish", status__in=("queued", "running")),
                name="job_one_live_publish_per_round",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_stalled(self) -> bool:
        return self.is_live and timezone.now() - self.progressed_at > STALLED_AFTER

    @property
    def can_resume(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stalled

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
