from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import services
from notifications.models import DeliveryPause, NotificationPreference, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "to_email",
        "language",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "kind", "language")
    search_fields = ("to_email", "subject", "dedupe_key")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient",)
    readonly_fields = (
        "public_id",
        "dedupe_key",
        "about",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
        "read_at",
    )
    actions = ["retry_failed"]

    @admin.action(description=_("Send failed messages again"))
    def retry_failed(self, request, queryset):
        count = services.retry_failed_messages(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(DeliveryPause)
class DeliveryPauseAdmin(admin.ModelAdmin):
    """Read-only: the pause ends by itself once a message goes through after the fault is fixed."""

    list_display = ("paused_until", "since", "strikes", "alerted", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "email_enabled", "updated_at")
    list_filter = ("kind", "email_enabled")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
