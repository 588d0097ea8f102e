"""What facility staff and the municipal office read: waitlists, placements, rounds, planning."""

from rest_framework import serializers

from childcare.admissions import explanations
from childcare.api.serializers.family import ChildSerializer
from childcare.backoffice.forms.staff import MAX_TEXT, check_answer_deadline, check_start_date, end_of_day


class StaffFacilitySerializer(serializers.Serializer):
    id = serializers.SlugField(source="slug")
    external_id = serializers.CharField(allow_null=True)
    name = serializers.CharField()


class CandidateSerializer(serializers.Serializer):
    """One wish on a waitlist, with its place on the whole list and the points explained."""

    position = serializers.IntegerField()
    application = serializers.UUIDField(source="application.public_id")
    reference = serializers.CharField(source="application.reference")
    child = ChildSerializer(source="application.child")
    age_band = serializers.CharField()
    rank = serializers.IntegerField(help_text="The family's rank for this facility (1 = favourite).")
    status = serializers.CharField()
    points = serializers.IntegerField()
    points_explanation = serializers.DictField(child=serializers.IntegerField())
    points_explained = serializers.SerializerMethodField()
    desired_start_date = serializers.DateField(source="application.desired_start_date", allow_null=True)
    care_hours_per_week = serializers.IntegerField(source="application.care_hours_per_week", allow_null=True)
    submitted_at = serializers.DateTimeField(source="application.submitted_at", allow_null=True)

    def get_points_explained(self, wish) -> list[str]:
        return explanations.explain_points(wish.points_explanation)


class PlacementSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    facility = serializers.SlugField(source="facility.slug")
    child = ChildSerializer()
    age_band = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    care_hours_per_week = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class RoundSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    target_start_date = serializers.DateField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    computed_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class RoundDetailSerializer(RoundSerializer):
    statistics = serializers.JSONField(help_text="As stored by the round; the shape may grow.")
    results = serializers.JSONField(
        help_text="One row per matched or unmatched child, as stored by the round."
    )


class MonthFreeSerializer(serializers.Serializer):
    month = serializers.DateField()
    places = serializers.IntegerField()
    free = serializers.IntegerField(help_text="Negative: overbooked.")


class BandPlanSerializer(serializers.Serializer):
    age_band = serializers.CharField()
    label = serializers.CharField()
    months = MonthFreeSerializer(many=True)


class AreaPlanSerializer(serializers.Serializer):
    name = serializers.CharField()
    bands = BandPlanSerializer(many=True)


class DemandRowSerializer(serializers.Serializer):
    district = serializers.CharField()
    age_band = serializers.CharField()
    label = serializers.CharField()
    applications = serializers.IntegerField()
    overdue = serializers.IntegerField()


class PlanningSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.DateField(), source="plan.months")
    town = AreaPlanSerializer(source="plan.town")
    districts = AreaPlanSerializer(many=True, source="plan.districts")
    facilities = AreaPlanSerializer(many=True, source="plan.facilities")
    unmet_demand = DemandRowSerializer(many=True, source="demand.rows")


class OfferTermsSerializer(serializers.Serializer):
    """Start date and answer deadline of an offer, checked like the staff page's form."""

    start_date = serializers.DateField()
    answer_by = serializers.DateField(
        required=False,
        help_text="The family can accept until the end of this day; default: the portal's offer window.",
    )

    def validate_start_date(self, day):
        return check_start_date(day)

    def validate_answer_by(self, day):
        return check_answer_deadline(day)

    @property
    def expires_at(self):
        day = self.validated_data.get("answer_by")
        return end_of_day(day) if day else None


class RejectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_TEXT, help_text="The family reads it.")


class WishStateSerializer(serializers.Serializer):
    """A wish after a staff action: which application, which facility, where it stands now."""

    application = serializers.UUIDField(source="application.public_id")
    reference = serializers.CharField(source="application.reference")
    facility = serializers.SlugField(source="facility.slug")
    age_band = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
