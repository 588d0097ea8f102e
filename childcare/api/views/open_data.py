"""Open data: every active facility with places and free places today, as GeoJSON and CSV.

No personal data: facility facts only. The licence (setting ``OPEN_DATA_LICENCE``) travels with
the data. Cacheable like the rest of the public facility data.
"""

import csv
import io

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from childcare.api.caching import cacheable_public_data
from childcare.facilities.capacity import occupancies_by_band
from childcare.facilities.search import AGE_BAND_ORDER, free_places, sorted_capacities
from childcare.facilities.selectors import facility_list

CSV_COLUMNS = [
    "id", "external_id", "name", "type", "provider", "provider_kind", "street", "postcode", "city",
    "district", "latitude", "longitude", "opens_at", "closes_at", "max_care_hours", "barrier_free",
    "concepts", "languages",
    *[f"places_{band}" for band in AGE_BAND_ORDER],
    *[f"free_today_{band}" for band in AGE_BAND_ORDER],
    "licence",
]  # fmt: skip


def open_data_rows() -> list[dict]:
    """One flat row per active facility; six queries for the whole town."""
    today = timezone.localdate()
    facilities = list(facility_list())
    taken = occupancies_by_band(facility_ids=[facility.pk for facility in facilities], from_date=today)
    rows = []
    for facility in facilities:
        capacities = {capacity.age_band: capacity for capacity in sorted_capacities(facility)}
        rows.append(
            {
                "id": facility.slug,
                "external_id": facility.external_id or "",
                "name": facility.name,
                "type": facility.type,
                "provider": facility.provider.name,
                "provider_kind": facility.provider.kind,
                "street": facility.street,
                "postcode": facility.postcode,
                "city": facility.city,
                "district": facility.district,
                "latitude": float(facility.latitude),
                "longitude": float(facility.longitude),
                "opens_at": facility.opens_at.strftime("%H:%M"),
                "closes_at": facility.closes_at.strftime("%H:%M"),
                "max_care_hours": facility.max_care_hours,
                "barrier_free": facility.barrier_free,
                "concepts": " ".join(sorted(c.concept for c in facility.concepts.all())),
                "languages": " ".join(sorted(lg.language for lg in facility.languages.all())),
                **{
                    f"places_{band}": capacities[band].places if band in capacities else 0
                    for band in AGE_BAND_ORDER
                },
                **{
                    f"free_today_{band}": free_places(capacities[band], taken, today)
                    if band in capacities
                    else 0
                    for band in AGE_BAND_ORDER
                },
                "licence": settings.OPEN_DATA_LICENCE,
            }
        )
    return rows


class GeoJSONRenderer(renderers.JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, list):  # an error body: problem details as JSON would be wrong here
            return renderers.JSONRenderer().render(data)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(data)
        return out.getvalue().encode("utf-8")


class FeatureCollectionSerializer(serializers.Serializer):
    """GeoJSON (RFC 7946): one Point feature per facility, properties as in the CSV."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    licence = serializers.CharField()
    features = serializers.ListField(child=serializers.DictField())


class FacilitiesGeoJSON(GenericAPIView):
    permission_classes = [AllowAny]
    renderer_classes = [GeoJSONRenderer, renderers.JSONRenderer]
    serializer_class = FeatureCollectionSerializer

    @extend_schema(
        operation_id="open_data_facilities_geojson",
        responses={
            (200, "application/geo+json"): FeatureCollectionSerializer,
            (200, "application/json"): FeatureCollectionSerializer,
        },
    )
    @cacheable_public_data
    def get(self, request):
        features = [
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
                "properties": row,
            }
            for row in open_data_rows()
        ]
        return Response(
            {"type": "FeatureCollection", "licence": settings.OPEN_DATA_LICENCE, "features": features}
        )


class FacilitiesCSV(GenericAPIView):
    permission_classes = [AllowAny]
    renderer_classes = [CSVRenderer]

    @extend_schema(
        operation_id="open_data_facilities_csv",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per facility.")},
    )
    @cacheable_public_data
    def get(self, request):
        response = Response(open_data_rows())
        response["Content-Disposition"] = 'inline; filename="facilities.csv"'
        return response
