"""The Django admin for the office's technical staff.

Statuses are read-only here: a status changes only through its transition (with its event
and messages), never by editing a field. Offers and placements are made through the portal's
pages, not added here. A capacity cannot be cut below the places already taken or offered.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from childcare import permissions
from childcare.admissions.rescoring import start_rescoring
from childcare.facilities import capacity
from childcare.facilities.availability import programs_of_facilities, refresh_availability
from childcare.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    BackgroundJob,
    Capacity,
    Child,
    Facility,
    FacilityConcept,
    FacilityLanguage,
    GuardianInvitation,
    Guardianship,
    Offer,
    Placement,
    PriorityPolicy,
    Provider,
    StaffMembership,
    Wish,
)
from portal.admin import SingletonAdmin


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)


class CapacityForm(forms.ModelForm):
    """Refuses a number of places below what active placements and open offers take from today on."""

    class Meta:
        model = Capacity
        fields = ("facility", "age_band", "places")

    def clean(self):
        cleaned = super().clean()
        facility = cleaned.get("facility") or getattr(self.instance, "facility", None)
        age_band, places = cleaned.get("age_band"), cleaned.get("places")
        if facility is None or facility.pk is None or not age_band or places is None:
            return cleaned
        today = timezone.localdate()
        taken = capacity.occupancies(facility_id=facility.pk, age_band=age_band, from_date=today)
        if not taken:
            return cleaned
        most, day = capacity.peak_taken_from(taken, today)
        if places < most:
            self.add_error(
                "places",
                ngettext(
                    "%(count)s place is taken or offered from %(date)s; the capacity cannot be lower.",
                    "%(count)s places are taken or offered from %(date)s; the capacity cannot be lower.",
                    most,
                )
                % {"count": most, "date": date_format(day, "SHORT_DATE_FORMAT")},
            )
        return cleaned


class CapacityInline(admin.TabularInline):
    model = Capacity
    form = CapacityForm
    extra = 0


class ConceptInline(admin.TabularInline):
    model = FacilityConcept
    extra = 0


class LanguageInline(admin.TabularInline):
    model = FacilityLanguage
    extra = 0


class StaffInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("name", "type", "provider", "district", "is_active", "accepts_applications")
    list_filter = ("type", "provider__kind", "district", "is_active", "accepts_applications", "barrier_free")
    search_fields = ("name", "street", "postcode", "provider__name")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("provider",)
    inlines = [CapacityInline, ConceptInline, LanguageInline, StaffInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_availability(programs=programs_of_facilities([form.instance.pk]))


@admin.register(Capacity)
class CapacityAdmin(admin.ModelAdmin):
    form = CapacityForm
    list_display = ("facility", "age_band", "places")
    list_filter = ("age_band", "facility__type")
    search_fields = ("facility__name",)
    list_select_related = ("facility",)

    # The stored free places follow every change of places (the admin's views run in a transaction;
    # deleting the selected rows is wrapped here).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_availability(programs=programs_of_facilities([obj.facility_id]))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        refresh_availability(programs=programs_of_facilities([obj.facility_id]))

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        facility_ids = set(queryset.values_list("facility_id", flat=True))
        programs = programs_of_facilities(facility_ids)
        super().delete_queryset(request, queryset)
        refresh_availability(programs=programs)


class GuardianshipInline(admin.TabularInline):
    model = Guardianship
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ("last_name", "first_name", "birth_date", "birth_date_is_expected")
    list_filter = ("birth_date_is_expected", "needs_integration_support")
    search_fields = ("first_name", "last_name", "guardianships__user__email")
    readonly_fields = ("public_id", "created_at")
    inlines = [GuardianshipInline]


@admin.register(Guardianship)
class GuardianshipAdmin(admin.ModelAdmin):
    list_display = ("user", "child", "created_at")
    list_filter = ("created_at",)
    search_fields = ("user__email", "child__first_name", "child__last_name")
    list_select_related = ("user", "child")
    raw_id_fields = ("user", "child")


class WishInline(admin.TabularInline):
    model = Wish
    extra = 0
    raw_id_fields = ("facility",)
    readonly_fields = ("status", "points", "points_explanation")


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = (
        "created_at",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "note",
        "visible_to_parents",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("reference", "child", "status", "desired_start_date", "submitted_at")
    list_filter = ("status", "resides_in_municipality", "single_parent", "hardship_referral")
    search_fields = ("reference", "child__first_name", "child__last_name", "created_by__email")
    date_hierarchy = "submitted_at"
    list_select_related = ("child",)
    raw_id_fields = ("child", "created_by")
    readonly_fields = ("status", "reference", "public_id", "lottery_number", "created_at", "updated_at")
    inlines = [WishInline, EventInline]


@admin.register(Wish)
class WishAdmin(admin.ModelAdmin):
    list_display = ("application", "rank", "facility", "age_band", "status", "points")
    list_filter = ("status", "age_band", "facility__district")
    search_fields = ("application__reference", "facility__name")
    list_select_related = ("application", "facility")
    raw_id_fields = ("application", "facility")
    readonly_fields = ("status",)


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("application", "wish", "start_date", "expires_at", "status")
    list_filter = ("status",)
    search_fields = ("application__reference", "wish__facility__name")
    date_hierarchy = "expires_at"
    list_select_related = ("application", "wish__facility")
    raw_id_fields = ("application", "wish", "created_by")
    readonly_fields = ("status", "decided_at")

    def has_add_permission(self, request):
        return False  # staff make offers on the waitlist page, through the offer transition


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ("child", "facility", "age_band", "start_date", "end_date", "status")
    list_filter = ("status", "age_band", "facility__district")
    search_fields = ("child__first_name", "child__last_name", "facility__name")
    date_hierarchy = "start_date"
    list_select_related = ("child", "facility")
    raw_id_fields = ("child", "facility", "source_offer")
    readonly_fields = ("status",)

    def has_add_permission(self, request):
        return False  # a place comes from an accepted offer or is recorded on the waitlist page


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "application", "kind", "from_status", "to_status", "actor")
    list_filter = ("kind", "visible_to_parents")
    search_fields = ("application__reference", "note")
    date_hierarchy = "created_at"
    list_select_related = ("application", "actor")
    raw_id_fields = ("application", "wish", "actor")


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "facility", "role")
    list_filter = ("role",)
    search_fields = ("user__email", "facility__name")
    list_select_related = ("user", "facility")
    raw_id_fields = ("user", "facility")


@admin.register(PriorityPolicy)
class PriorityPolicyAdmin(SingletonAdmin):
    list_display = ("__str__", "residence_points", "hardship_points", "updated_at")
    search_fields = ("updated_by__email",)
    list_filter = ("show_positions_to_parents",)
    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        """Records who changed the policy; re-scoring every listed wish runs as a background job.

        The admin saves in a transaction: the job's task is queued only once the policy is committed.
        """
        obj.updated_by = request.user
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            job = start_rescoring(by=request.user)
        started = _("The points of all waiting wishes are being recalculated.")
        if not permissions.is_municipal_office(request.user):  # the progress page is the office's
            self.message_user(request, started, messages.INFO)
            return
        url = reverse("backoffice:job_progress", args=[job.public_id])
        self.message_user(
            request,
            format_html('{} <a href="{}">{}</a>', started, url, _("Follow the progress")),
            messages.INFO,
        )


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    """Read only: jobs are started and resumed from their pages, which check the rules."""

    list_display = ("created_at", "kind", "status", "done", "total", "requested_by")
    list_filter = ("kind", "status")
    list_select_related = ("requested_by",)
    raw_id_fields = ("allocation_round", "requested_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(admin.ModelAdmin):
    list_display = ("uploaded_at", "application", "criterion", "content_type", "size")
    list_filter = ("criterion", "content_type")
    search_fields = ("application__reference", "original_name")
    list_select_related = ("application",)
    raw_id_fields = ("application", "uploaded_by")


@admin.register(GuardianInvitation)
class GuardianInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "child", "invited_by", "created_at", "accepted_at")
    list_filter = ("accepted_at",)
    search_fields = ("email", "child__last_name")
    list_select_related = ("child", "invited_by")
    raw_id_fields = ("child", "invited_by")


# Webhook endpoints and deliveries live with the API.
import childcare.api.admin  # noqa: E402, F401
