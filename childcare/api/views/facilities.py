"""Public facility data: the search page's filters and facts, without login, cacheable."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from childcare.api.caching import cacheable_public_data
from childcare.api.pagination import PagedList
from childcare.api.serializers.facilities import FacilityDetailSerializer, FacilityResultSerializer
from childcare.facilities.search import facility_availability, search_facilities
from childcare.facilities.selectors import facility_detail
from childcare.models import Concept, Facility, FacilityType, Language, ProviderKind
from portal.models import PortalSettings


def _choice(name: str, choices, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        many=True,
        explode=True,
        enum=[value for value, _ in choices],
        description=description,
    )


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "birth_date", OpenApiTypes.DATE, description="The child's date of birth; gives the age band."
    ),
    OpenApiParameter("age_years", OpenApiTypes.INT, description="Or the child's age today: years (0-12)."),
    OpenApiParameter("age_months", OpenApiTypes.INT, description="... and months (0-11)."),
    OpenApiParameter("start", OpenApiTypes.DATE, description="Desired start; default: next daycare year."),
    OpenApiParameter(
        "free_at_start", OpenApiTypes.BOOL, description="Only facilities with free places then."
    ),
    OpenApiParameter("near", OpenApiTypes.STR, description="A postcode of the town or 'lat,lon'."),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["", "name", "distance"]),
    OpenApiParameter("hours", OpenApiTypes.INT, description="At least this many care hours per week."),
    _choice("type", FacilityType.choices, "Type of facility (any of)."),
    _choice("provider", ProviderKind.choices, "Kind of provider (any of)."),
    _choice("concept", Concept.choices, "Educational concept (any of)."),
    _choice("language", Language.choices, "Language spoken (any of)."),
    OpenApiParameter("barrier_free", OpenApiTypes.BOOL),
    OpenApiParameter("opens_by", OpenApiTypes.STR, description="Open at this time (HH:MM)."),
    OpenApiParameter("closes_after", OpenApiTypes.STR, description="Open until at least (HH:MM)."),
]


class FacilityList(GenericAPIView):
    """Active facilities matching the filters, with free places per age band (now and at the start)."""

    permission_classes = [AllowAny]
    pagination_class = PagedList
    serializer_class = FacilityResultSerializer

    @extend_schema(
        parameters=SEARCH_PARAMETERS,
        operation_id="facilities_list",
        responses=FacilityResultSerializer(many=True),
    )
    @cacheable_public_data
    def get(self, request):
        outcome = search_facilities(
            data=request.query_params,
            portal=PortalSettings.load(),
            today=timezone.localdate(),
            languages=True,  # each result names its languages
        )
        if outcome.form.errors:
            raise serializers.ValidationError(
                {
                    field: [str(message) for message in messages]
                    for field, messages in outcome.form.errors.items()
                }
            )
        page = self.paginate_queryset(outcome.results)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FacilityDetail(GenericAPIView):
    """One active facility: its facts, capacity per age band and free places for the next 12 months."""

    permission_classes = [AllowAny]
    serializer_class = FacilityDetailSerializer
    lookup_url_kwarg = "slug"

    @extend_schema(operation_id="facilities_retrieve")
    @cacheable_public_data
    def get(self, request, slug):
        try:
            facility = facility_detail(slug=slug)
        except Facility.DoesNotExist:
            raise Http404 from None
        availability = facility_availability(facility=facility, today=timezone.localdate())
        context = {**self.get_serializer_context(), "availability": availability}
        return Response(FacilityDetailSerializer(facility, context=context).data)
