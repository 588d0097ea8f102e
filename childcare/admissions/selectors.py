"""Reads of children and applications for their guardians; each loads its related data."""

from django.db.models import Prefetch, QuerySet

from childcare.models import Application, ApplicationEvent, Child, Offer, Wish


def children_of(user) -> QuerySet[Child]:
    return Child.objects.filter(guardianships__user=user).order_by("first_name", "pk")


def child_for_guardian(*, user, public_id) -> Child:
    """The child if ``user`` is a guardian; Child.DoesNotExist otherwise (views answer 404)."""
    return children_of(user).get(public_id=public_id)


def applications_of(user) -> QuerySet[Application]:
    """The user's children's applications with child, wishes (and facilities), offers (with the
    placement an accepted one created) and events loaded."""
    return (
        Application.objects.filter(child__guardianships__user=user)
        .select_related("child")
        .prefetch_related(
            Prefetch("wishes", queryset=Wish.objects.select_related("facility").order_by("rank")),
            Prefetch(
                "offers",
                queryset=Offer.objects.select_related("wish__facility", "placement").order_by("-created_at"),
            ),
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.filter(visible_to_parents=True).select_related(
                    "wish__facility"
                ),
            ),
        )
        .order_by("-created_at")
    )


def application_for_guardian(*, user, public_id) -> Application:
    return applications_of(user).get(public_id=public_id)
