from django.contrib import admin

from notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "to_email", "language", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "language")
    search_fields = ("to_email", "subject", "dedupe_key")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient",)
    readonly_fields = ("dedupe_key", "attempts", "last_error", "created_at", "sent_at", "read_at")
