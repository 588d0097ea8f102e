"""The municipal office: allocation rounds (as stored) and needs-planning figures."""

from django.http import Http404
from django.utils import timezone
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.response import Response

from childcare.allocation import planning, rounds
from childcare.api.pagination import PagedList
from childcare.api.permissions import IsMunicipalOffice, TokenScope
from childcare.api.serializers.staff import PlanningSerializer, RoundDetailSerializer, RoundSerializer
from childcare.models import AllocationRound
from portal.models import PortalSettings


class OfficeView(GenericAPIView):
    permission_classes = [TokenScope, IsMunicipalOffice]


class RoundList(OfficeView, ListAPIView):
    """Allocation rounds, newest first."""

    serializer_class = RoundSerializer
    pagination_class = PagedList

    def get_queryset(self):
        return AllocationRound.objects.order_by("-created_at", "pk")


class RoundDetail(OfficeView):
    """One round with its statistics and its result rows."""

    serializer_class = RoundDetailSerializer

    def get(self, request, public_id):
        found = AllocationRound.objects.filter(public_id=public_id).first()
        if found is None:
            raise Http404
        found.results = list(rounds.round_result_dicts(round=found))
        return Response(self.get_serializer(found).data)


class Planning(OfficeView):
    """Free places per month (town, districts, facilities) and unmet legal entitlements."""

    serializer_class = PlanningSerializer

    def get(self, request):
        portal, today = PortalSettings.load(), timezone.localdate()
        figures = {
            "plan": planning.free_places_by_month(portal=portal, today=today),
            "demand": planning.unmet_demand(portal=portal, today=today),
        }
        return Response(self.get_serializer(figures).data)
