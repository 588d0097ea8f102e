from collections import Counter

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Min, Q
from django.test.utils import CaptureQueriesContext

from childcare.demo.scale import REFERENCE_PREFIX, SLUG_PREFIX, SYNTHETIC_DOMAIN, flush_city
from childcare.models import (
    Application,
    ApplicationStatus,
    Capacity,
    Child,
    Facility,
    FacilityType,
    Offer,
    OfferStatus,
    Placement,
    PlacementStatus,
    PriorityPolicy,
    StaffMembership,
    StaffRole,
    Wish,
    WishStatus,
)
from notifications.models import OutboxMessage
from portal.models import User
from tests.factories import (
    ApplicationFactory,
    FacilityFactory,
    GuardianshipFactory,
    PlacementFactory,
    WishFactory,
)

SMALL = ["--facilities", "20", "--applications", "300"]


@pytest.fixture
def city(db):
    call_command("seed_scale", *SMALL, stdout=None)


def test_every_application_state_is_present_with_ranked_wishes(city):
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert set(statuses) == set(ApplicationStatus.values)
    assert sum(statuses.values()) == 300
    assert statuses[ApplicationStatus.WAITING] + statuses[ApplicationStatus.SUBMITTED] > 150
    for application in Application.objects.annotate(
        n=Count("wishes"), low=Min("wishes__rank"), high=Max("wishes__rank")
    ):
        assert 1 <= application.n <= 5
        assert (application.low, application.high) == (1, application.n)
    assert set(FacilityType.values) <= set(Facility.objects.values_list("type", flat=True))


def test_no_program_holds_more_than_its_places(city):
    taken = Counter(
        Placement.objects.filter(status=PlacementStatus.ACTIVE).values_list("facility_id", "age_band")
    )
    taken.update(
        Offer.objects.filter(status=OfferStatus.OPEN).values_list("wish__facility_id", "wish__age_band")
    )
    places = {(c.facility_id, c.age_band): c.places for c in Capacity.objects.all()}
    assert sum(taken.values()) > 0
    assert all(count <= places[program] for program, count in taken.items())


def test_offers_and_placements_match_the_application_state(city):
    open_offers = Counter(
        Offer.objects.filter(status=OfferStatus.OPEN).values_list("application_id", flat=True)
    )
    assert max(open_offers.values()) == 1
    offered = set(Application.objects.filter(status=ApplicationStatus.OFFERED).values_list("pk", flat=True))
    assert set(open_offers) == offered
    assert Wish.objects.filter(status=WishStatus.OFFERED).count() == len(offered)
    placed = Application.objects.filter(status=ApplicationStatus.PLACED)
    assert Placement.objects.filter(source_offer__application__in=placed).count() == placed.count()
    # An offer concerns a wish of the same application.
    assert not Offer.objects.exclude(wish__application=F("application")).exists()
    assert OutboxMessage.objects.count() == 0


def test_points_differ_and_siblings_and_staff_exist(city):
    points = set(Wish.objects.values_list("points", flat=True))
    assert len(points) > 10
    assert Wish.objects.filter(sibling_at_facility=True).exists()
    assert StaffMembership.objects.filter(role=StaffRole.LEADER).count() == Facility.objects.count()
    assert User.objects.filter(is_municipal_office=True, email__endswith=SYNTHETIC_DOMAIN).count() == 1
    shared = Application.objects.values("child__guardianships__user").annotate(n=Count("pk")).filter(n__gt=1)
    assert (
        shared.exists()
        or Placement.objects.filter(
            child__guardianships__user__in=Application.objects.values("created_by")
        ).exists()
    )


def test_the_same_seed_gives_the_same_city(db):
    call_command("seed_scale", *SMALL, "--seed", "7", stdout=None)
    first = list(
        Wish.objects.order_by("pk").values_list("application__reference", "facility__slug", "rank", "points")
    )
    call_command("seed_scale", *SMALL, "--seed", "7", "--flush", stdout=None)

    assert (
        list(
            Wish.objects.order_by("pk").values_list(
                "application__reference", "facility__slug", "rank", "points"
            )
        )
        == first
    )
    assert Application.objects.count() == 300
    assert not Application.objects.exclude(reference__startswith=REFERENCE_PREFIX).exists()


def test_a_second_run_needs_flush(city):
    with pytest.raises(CommandError, match="--flush"):
        call_command("seed_scale", *SMALL, stdout=None)


def test_refuses_a_database_with_real_data_unless_forced(db):
    real = FacilityFactory()
    with pytest.raises(CommandError, match="not synthetic"):
        call_command("seed_scale", *SMALL, stdout=None)

    call_command("seed_scale", "--facilities", "5", "--applications", "20", "--force", stdout=None)
    call_command("seed_scale", "--facilities", "5", "--applications", "20", "--force", "--flush", stdout=None)
    assert Facility.objects.filter(pk=real.pk).exists()
    assert Facility.objects.filter(~Q(pk=real.pk)).count() == 5


def test_flush_removes_the_synthetic_city_in_bulk_and_keeps_everything_else(db, parent):
    real_application = ApplicationFactory(child=GuardianshipFactory(user=parent).child)
    real_wish = WishFactory(application=real_application)
    real_placement = PlacementFactory(facility=real_wish.facility)
    call_command("seed_scale", "--facilities", "5", "--applications", "40", "--force", stdout=None)
    policy = PriorityPolicy.load()
    policy.updated_by = User.objects.get(email__endswith=SYNTHETIC_DOMAIN, is_municipal_office=True)
    policy.save()  # a reference from a kept row (SET_NULL) to a synthetic one

    with CaptureQueriesContext(connection) as queries:
        removed = flush_city()

    assert not User.objects.filter(email__endswith=SYNTHETIC_DOMAIN).exists()
    assert not Facility.objects.filter(slug__startswith=SLUG_PREFIX).exists()
    assert not Application.objects.filter(reference__startswith=REFERENCE_PREFIX).exists()
    assert list(Wish.objects.all()) == [real_wish]
    assert list(Placement.objects.all()) == [real_placement]
    assert set(Child.objects.all()) == {real_application.child, real_placement.child}
    assert User.objects.filter(pk=parent.pk).exists()
    assert PriorityPolicy.objects.get(pk=policy.pk).updated_by is None
    # A few statements per table, however large the city (the ORM's cascade loads every row
    # and deletes them in chunks).
    assert len(queries) < 10 * len(apps.get_models(include_auto_created=True))
    assert removed["childcare_wish"] > 40
    assert removed["portal_user"] > 40
