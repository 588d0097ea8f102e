"""A family's own data (/api/v1/me/...): only children the user is a guardian of; others are 404."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from childcare.admissions import applications as application_services
from childcare.admissions import offers as offer_services
from childcare.admissions import waitlist
from childcare.admissions.selectors import applications_of, children_of
from childcare.api.errors import domain_errors_as_conflict
from childcare.api.pagination import PagedList
from childcare.api.permissions import TokenScope
from childcare.api.serializers.family import ApplicationSerializer, ChildSerializer, OfferSerializer
from childcare.models import Offer, PriorityPolicy


class FamilyView(GenericAPIView):
    permission_classes = [TokenScope, IsAuthenticated]
    pagination_class = PagedList


class ChildList(FamilyView, ListAPIView):
    """The children the user is a guardian of."""

    serializer_class = ChildSerializer

    def get_queryset(self):
        return children_of(self.request.user)


def _positions_context(applications) -> dict:
    """Waitlist places of all wishes in one query, when the office lets parents see them."""
    if not PriorityPolicy.load().show_positions_to_parents:
        return {}
    return {"positions": waitlist.positions([wish for a in applications for wish in a.wishes.all()])}


class ApplicationList(FamilyView, ListAPIView):
    """The user's children's applications: wishes (points explained, waitlist place), offers, timeline."""

    serializer_class = ApplicationSerializer

    def get_queryset(self):
        return applications_of(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), **_positions_context(page)}
        return self.get_paginated_response(ApplicationSerializer(page, many=True, context=context).data)


class ApplicationDetail(FamilyView):
    serializer_class = ApplicationSerializer

    def get(self, request, public_id):
        application = applications_of(request.user).filter(public_id=public_id).first()
        if application is None:
            raise Http404
        context = {**self.get_serializer_context(), **_positions_context([application])}
        return Response(ApplicationSerializer(application, context=context).data)


class InterestConfirmation(FamilyView):
    """The family still wants a place (a key with write access): resets the re-confirmation clock."""

    serializer_class = ApplicationSerializer

    @extend_schema(request=None, responses={200: ApplicationSerializer})
    def post(self, request, public_id):
        application = applications_of(request.user).filter(public_id=public_id).first()
        if application is None:
            raise Http404
        with domain_errors_as_conflict():
            application_services.confirm_interest(application=application, by=request.user)
        application = applications_of(request.user).get(pk=application.pk)
        context = {**self.get_serializer_context(), **_positions_context([application])}
        return Response(ApplicationSerializer(application, context=context).data)


def family_offers(user):
    return (
        Offer.objects.filter(application__child__guardianships__user=user)
        .select_related("application", "wish__facility")
        .order_by("-created_at", "pk")
    )


class OfferList(FamilyView, ListAPIView):
    """Offers made to the user's children, newest first."""

    serializer_class = OfferSerializer

    def get_queryset(self):
        return family_offers(self.request.user)


class OfferAnswer(FamilyView):
    """Accept or decline an open offer (a key with write access). Same rules as the offer page."""

    serializer_class = OfferSerializer
    answer = None  # "accept" or "decline", set in urls.py
    SERVICES = {"accept": offer_services.accept_offer, "decline": offer_services.decline_offer}

    @extend_schema(request=None, responses={200: OfferSerializer})
    def post(self, request, public_id):
        offer = family_offers(request.user).filter(public_id=public_id).first()
        if offer is None:
            raise Http404
        with domain_errors_as_conflict():
            self.SERVICES[self.answer](offer=offer, by=request.user)
        offer.refresh_from_db()
        return Response(OfferSerializer(offer).data, status=status.HTTP_200_OK)
