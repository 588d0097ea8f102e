import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.models.facilities import Facility

https_only = URLValidator(schemes=["https"], message=_("Enter an https:// address."))


class WebhookEndpoint(models.Model):
    """An HTTPS address of a facility's daycare software that receives signed events.

    The secret signs every delivery (Standard Webhooks); it is shown once when the endpoint
    is created. It is stored as it is, because signing needs it, unlike API keys.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("address"), max_length=500, validators=[https_only])
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["facility", "created_at"]

    def __str__(self):
        return f"{self.facility}: {self.url}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: an outbox row, written with the change, sent after commit."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, editable=False)
    event_type = models.CharField(_("event type"), max_length=40)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_event_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self):
        return f"{self.event_type} {self.event_id} -> {self.endpoint_id}"
