"""Reads of facilities for the public pages."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from childcare.models import Capacity, Facility, FacilityType


def facility_list(*, languages: bool = True) -> QuerySet[Facility]:
    """Active facilities with provider, capacities, concepts and (unless not wanted: the search's
    cards do not show them) languages, in four queries."""
    related = [Prefetch("capacities", queryset=Capacity.objects.order_by("age_band")), "concepts"]
    return (
        Facility.objects.filter(is_active=True)
        .select_related("provider")
        .prefetch_related(*related, *(["languages"] if languages else []))
        .order_by("name")
    )


def facility_detail(*, slug: str) -> Facility:
    return facility_list().get(slug=slug)


@dataclass(frozen=True)
class TypeCount:
    type: str
    label: str
    count: int


def facility_type_counts() -> list[TypeCount]:
    """How many active facilities there are of each type (types without any left out); one query."""
    counts = dict(
        Facility.objects.filter(is_active=True).values_list("type").annotate(n=Count("pk")).order_by()
    )
    return [
        TypeCount(value, label, counts[value]) for value, label in FacilityType.choices if value in counts
    ]
