"""Facilities as the public sees them: no personal data, only what the search page shows."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.languages import in_active_language


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "examples": ["07:30"]})
class ClockTime(serializers.TimeField):
    """A time of day as HH:MM (no seconds, no zone: opening hours are local)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ProviderSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    external_id = serializers.CharField(allow_null=True)


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    district = serializers.CharField()


class BandAvailabilitySerializer(serializers.Serializer):
    age_band = serializers.CharField()
    label = serializers.CharField()
    places = serializers.IntegerField()
    free_now = serializers.IntegerField()
    free_at_start = serializers.IntegerField()


class FacilityFactsSerializer(serializers.Serializer):
    """The facts every facility answer shares (list, detail, open data)."""

    id = serializers.SlugField(source="slug", help_text="Stable identifier (the slug of the facility page).")
    external_id = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    type = serializers.CharField()
    type_label = serializers.CharField(source="get_type_display")
    provider = ProviderSerializer()
    address = serializers.SerializerMethodField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    opens_at = ClockTime()
    closes_at = ClockTime()
    max_care_hours = serializers.IntegerField()
    meals = serializers.CharField()
    barrier_free = serializers.BooleanField()
    concepts = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()
    accepts_applications = serializers.BooleanField()
    page_url = serializers.SerializerMethodField()

    @extend_schema_field(AddressSerializer)
    def get_address(self, facility):
        return AddressSerializer(facility).data

    def get_concepts(self, facility) -> list[str]:
        return sorted(concept.concept for concept in facility.concepts.all())

    def get_languages(self, facility) -> list[str]:
        return sorted(language.language for language in facility.languages.all())

    def get_page_url(self, facility) -> str:
        request = self.context.get("request")
        path = facility.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class _FacilityWithResult:
    """A search result read like its facility, plus ``bands`` and ``distance_km``: one flat answer."""

    def __init__(self, result):
        self.bands = result.bands
        self.distance_km = result.distance_km
        self._facility = result.facility

    def __getattr__(self, name):
        return getattr(self._facility, name)


class FacilityResultSerializer(FacilityFactsSerializer):
    """One search result: the facility, free places per age band, and the distance if asked for."""

    bands = BandAvailabilitySerializer(many=True)
    distance_km = serializers.FloatField(allow_null=True)

    def to_representation(self, result):
        return super().to_representation(_FacilityWithResult(result))


class CapacitySerializer(serializers.Serializer):
    age_band = serializers.CharField()
    label = serializers.CharField(source="get_age_band_display")
    places = serializers.IntegerField()


class MonthlyFreePlacesSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Today, then the first day of each following month.")
    free = serializers.DictField(child=serializers.IntegerField(), help_text="Free places per age band.")


class FacilityDetailSerializer(FacilityFactsSerializer):
    description = serializers.SerializerMethodField()
    opening_notes = serializers.SerializerMethodField()
    phone = serializers.CharField()
    email = serializers.CharField()
    website = serializers.CharField()
    capacities = serializers.SerializerMethodField()
    availability = serializers.SerializerMethodField()

    def get_description(self, facility) -> str:
        return in_active_language(facility, "description")

    def get_opening_notes(self, facility) -> str:
        return in_active_language(facility, "opening_notes")

    @extend_schema_field(CapacitySerializer(many=True))
    def get_capacities(self, facility):
        return CapacitySerializer(self.context["availability"].capacities, many=True).data

    @extend_schema_field(MonthlyFreePlacesSerializer(many=True))
    def get_availability(self, facility):
        availability = self.context["availability"]
        bands = [capacity.age_band for capacity in availability.capacities]
        return [
            {"date": row.day.isoformat(), "free": dict(zip(bands, row.free, strict=True))}
            for row in availability.rows
        ]
