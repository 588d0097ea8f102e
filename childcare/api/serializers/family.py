"""A family's own data: children, applications with wishes, positions, points, offers, timeline."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from childcare.admissions import explanations


class ChildSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    birth_date = serializers.DateField()
    birth_date_is_expected = serializers.BooleanField()


class FacilityRefSerializer(serializers.Serializer):
    id = serializers.SlugField(source="slug")
    name = serializers.CharField()


class PositionSerializer(serializers.Serializer):
    place = serializers.IntegerField()
    of = serializers.IntegerField()


class WishSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    facility = FacilityRefSerializer()
    age_band = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    points = serializers.IntegerField()
    points_explained = serializers.SerializerMethodField(
        help_text="One line per criterion, in the reader's language."
    )
    position = serializers.SerializerMethodField(
        help_text="Place on the facility's waitlist for the age band; null while not listed or not shown."
    )

    def get_points_explained(self, wish) -> list[str]:
        return explanations.explain_points(wish.points_explanation)

    @extend_schema_field(PositionSerializer(allow_null=True))
    def get_position(self, wish):
        found = self.context.get("positions", {}).get(wish.pk)
        return {"place": found[0], "of": found[1]} if found else None


class OfferSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    application = serializers.UUIDField(source="application.public_id")
    facility = FacilityRefSerializer(source="wish.facility")
    age_band = serializers.CharField(source="wish.age_band")
    start_date = serializers.DateField()
    expires_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.SerializerMethodField()
    facility = FacilityRefSerializer(source="wish.facility", allow_null=True)
    created_at = serializers.DateTimeField()

    def get_label(self, event) -> str:
        return explanations.event_label(event.kind)


class ApplicationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    child = ChildSerializer()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    status_sentence = serializers.SerializerMethodField()
    desired_start_date = serializers.DateField(allow_null=True)
    care_hours_per_week = serializers.IntegerField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    last_confirmed_at = serializers.DateTimeField(allow_null=True)
    wishes = WishSerializer(many=True)
    offers = OfferSerializer(many=True)
    timeline = EventSerializer(many=True, source="events.all")

    def get_status_sentence(self, application) -> str:
        return explanations.status_sentence(application.status)
