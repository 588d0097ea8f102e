import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """An e-mail written in the same transaction as the change it reports, sent afterwards.

    A message goes to a user (and shows in their inbox) or, without ``recipient``, only to
    ``to_email``, for a person who has no account yet.
    The unique ``dedupe_key`` makes writing the same message twice impossible; the
    status machine (queued → sending → sent | failed | superseded) makes sending it twice a
    no-op. ``about`` names what the message reports on; a message whose subject moved on
    before it could be sent (its kind's ``still_valid`` says no) is superseded, not sent.
    While a row is ``sending``, ``next_attempt_at`` is the end of the sender's lease: a
    row still sending after it belonged to a worker that died and is queued again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Not sent: what it reported had moved on by the time it could go out (e.g. a withdrawn offer).
        SUPERSEDED = "superseded", _("Superseded")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
        help_text=_(
            "Empty for a person without an account, e.g. an invited guardian: e-mail only, no inbox."
        ),
    )
    to_email = models.EmailField(_("to"))
    kind = models.CharField(_("kind"), max_length=64)
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(
        _("attachments"),
        default=list,
        blank=True,
        help_text=_("Documents rendered when the message is sent, e.g. an offer letter PDF."),
    )
    about = models.JSONField(
        _("about"),
        default=dict,
        blank=True,
        help_text=_(
            'What the message reports on, e.g. {"offer": 12}; its kind decides at send time whether '
            "the message still holds."
        ),
    )
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(to_email=""),
                name="outbox_has_recipient_or_address",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["recipient", "-created_at"], name="outbox_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.to_email} ({self.get_status_display()})"


class NotificationPreference(models.Model):
    """A user's choice to get one optional kind of message by e-mail or not.

    Without a row the kind's default applies; transactional kinds ignore any row.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=64)
    email_enabled = models.BooleanField(_("send by e-mail"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.kind}: {self.email_enabled}"


class DeliveryPause(models.Model):
    """One row: the mail server refuses every message (wrong password, TLS, DNS), so delivery waits.

    While ``paused_until`` lies ahead no message is tried; messages stay queued instead of each
    using up its attempts on a fault only an operator can fix. ``strikes`` counts pauses in a
    row (the next one lasts longer); ``alerted`` makes the operators' alert go out once per fault.
    """

    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True)
    since = models.DateTimeField(_("failing since"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    strikes = models.PositiveSmallIntegerField(_("pauses in a row"), default=0)
    alerted = models.BooleanField(_("operators alerted"), default=False)

    class Meta:
        verbose_name = _("e-mail delivery pause")
        verbose_name_plural = _("e-mail delivery pauses")

    def __str__(self):
        return f"paused until {self.paused_until}: {self.reason}"
