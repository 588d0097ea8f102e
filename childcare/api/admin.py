"""Admin pages for webhook endpoints and their deliveries (imported by childcare.admin).

An endpoint added here gets a fresh secret, shown once in the confirmation message. Deliveries
are read-only: their status moves only through delivery; failed ones can be queued again.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from childcare.api import webhooks
from childcare.api.webhook_delivery import enqueue_delivery
from childcare.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("facility", "url", "active", "created_by", "created_at")
    list_filter = ("active",)
    search_fields = ("facility__name", "url")
    autocomplete_fields = ("facility",)
    fields = ("facility", "url", "active", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = webhooks.new_secret()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request,
                _("The signing secret of this endpoint, shown only now: %(secret)s") % {"secret": obj.secret},
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "event_type")
    search_fields = ("event_id", "endpoint__url", "endpoint__facility__name")
    list_select_related = ("endpoint__facility",)
    actions = ["queue_again"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Queue failed deliveries again"))
    def queue_again(self, request, queryset):
        with transaction.atomic():
            ids = list(queryset.filter(status=WebhookDelivery.Status.FAILED).values_list("pk", flat=True))
            WebhookDelivery.objects.filter(pk__in=ids, status=WebhookDelivery.Status.FAILED).update(
                status=WebhookDelivery.Status.QUEUED, attempts=0, next_attempt_at=timezone.now()
            )
            transaction.on_commit(lambda: [enqueue_delivery(pk) for pk in ids])
        self.message_user(
            request,
            ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", len(ids))
            % {"count": len(ids)},
        )
