"""Reads of facilities for the public pages."""

from django.db.models import Prefetch, QuerySet

from childcare.models import Capacity, Facility


def facility_list() -> QuerySet[Facility]:
    """Active facilities with provider, capacities, concepts and languages in four queries."""
    return (
        Facility.objects.filter(is_active=True)
        .select_related("provider")
        .prefetch_related(
            Prefetch("capacities", queryset=Capacity.objects.order_by("age_band")),
            "concepts",
            "languages",
        )
        .order_by("name")
    )


def facility_detail(*, slug: str) -> Facility:
    return facility_list().get(slug=slug)
