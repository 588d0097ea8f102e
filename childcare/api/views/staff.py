"""Facility staff (and the municipal office): their facilities' waitlists and placements.

A facility the user does not work for answers 404, exactly like the staff pages.
"""

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response

from childcare import permissions
from childcare.admissions import offers as offer_services
from childcare.admissions import waitlist, waitlist_actions
from childcare.api.errors import domain_errors_as_conflict
from childcare.api.pagination import ChangedSinceCursor, PagedList
from childcare.api.permissions import IsFacilityStaff, TokenScope
from childcare.api.serializers.family import OfferSerializer
from childcare.api.serializers.staff import (
    CandidateSerializer,
    OfferTermsSerializer,
    PlacementSerializer,
    RejectionSerializer,
    StaffFacilitySerializer,
    WishStateSerializer,
)
from childcare.backoffice.lookups import candidate, staff_facility
from childcare.models import AgeBand, Facility, Placement
from portal import audit


class StaffView(GenericAPIView):
    permission_classes = [TokenScope, IsFacilityStaff]
    audit_type = ""  # lists of applicant data name themselves in the audit log

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.audit_type and page is not None:
            audit.record_list(
                self.request,
                object_type=self.audit_type,
                refs=[self.audit_ref(row) for row in page],
                detail=f"api {self.kwargs.get('slug', '')}",
            )
        return page

    def audit_ref(self, row) -> str:
        return str(row.pk)


class StaffFacilityList(StaffView, ListAPIView):
    """The facilities the user works for; the municipal office: all."""

    serializer_class = StaffFacilitySerializer
    pagination_class = PagedList

    def get_queryset(self):
        user = self.request.user
        facilities = (
            Facility.objects.all()
            if permissions.is_municipal_office(user)
            else Facility.objects.filter(staff_memberships__user=user)
        )
        return facilities.order_by("name", "pk")


class WaitlistQuery(serializers.Serializer):
    age_band = serializers.ChoiceField(choices=AgeBand.choices, required=False)


class Waitlist(StaffView, ListAPIView):
    """The ranked waitlist of one facility, per age band: place, points and their explanation.

    Same order as the staff waitlist page: points, then submission time, then the lottery number.
    """

    serializer_class = CandidateSerializer
    pagination_class = PagedList
    audit_type = "waitlist"

    def audit_ref(self, wish) -> str:
        return wish.application.reference

    @extend_schema(parameters=[WaitlistQuery])
    def get(self, request, slug):
        return self.list(request)

    def get_queryset(self):
        facility = staff_facility(self.request, self.kwargs["slug"])
        query = WaitlistQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return (
            waitlist.waitlist(facility_id=facility.pk, age_band=query.validated_data.get("age_band"))
            .annotate(position=Window(RowNumber(), partition_by=[F("age_band")], order_by=waitlist.ORDER))
            .select_related("application__child")
            .order_by("age_band", *waitlist.ORDER)
        )


class PlacementQuery(serializers.Serializer):
    changed_since = serializers.DateTimeField(
        required=False, help_text="Only placements created or changed at or after this moment (ISO 8601)."
    )


class PlacementList(StaffView, ListAPIView):
    """Placements at one facility, oldest change first, for daycare software to sync from.

    Page with the ``cursor`` of the ``next`` link; remember the last ``updated_at`` for ``changed_since``.
    """

    serializer_class = PlacementSerializer
    pagination_class = ChangedSinceCursor
    audit_type = "placement"

    def audit_ref(self, placement) -> str:
        return str(placement.public_id)

    @extend_schema(
        parameters=[
            PlacementQuery,
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From a next link."),
        ]
    )
    def get(self, request, slug):
        return self.list(request)

    def get_queryset(self):
        facility = staff_facility(self.request, self.kwargs["slug"])
        query = PlacementQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        placements = Placement.objects.filter(facility=facility).select_related("child", "facility")
        if "changed_since" in query.validated_data:
            placements = placements.filter(updated_at__gte=query.validated_data["changed_since"])
        return placements


class OfferMake(StaffView):
    """Offer the facility's place to the application's wish (a key with write access).

    Same service and rules as the staff page: the wish must be waiting and a place free from
    ``start_date`` on; otherwise 409 with the reason. The family is notified at once.
    """

    serializer_class = OfferTermsSerializer

    @extend_schema(request=OfferTermsSerializer, responses={201: OfferSerializer})
    def post(self, request, slug, public_id):
        wish = candidate(request, slug, public_id)
        terms = OfferTermsSerializer(data=request.data)
        terms.is_valid(raise_exception=True)
        with domain_errors_as_conflict():
            offer = offer_services.make_offer(
                wish=wish,
                start_date=terms.validated_data["start_date"],
                expires_at=terms.expires_at,
                by=request.user,
            )
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)


class WishReject(StaffView):
    """Take the application's wish off the facility's waitlist with a reason the family reads."""

    serializer_class = RejectionSerializer

    @extend_schema(request=RejectionSerializer, responses={200: WishStateSerializer})
    def post(self, request, slug, public_id):
        wish = candidate(request, slug, public_id)
        rejection = RejectionSerializer(data=request.data)
        rejection.is_valid(raise_exception=True)
        with domain_errors_as_conflict():
            wish = waitlist_actions.reject_wish(
                wish=wish, by=request.user, reason=rejection.validated_data["reason"]
            )
        return Response(WishStateSerializer(wish).data)
