import datetime
import math
from collections import Counter
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from childcare.age import age_band_on
from childcare.demo.seeding import DEMO_PASSWORD, demo_accounts
from childcare.facilities import capacity
from childcare.models import (
    LISTED_APPLICATION_STATUSES,
    LISTED_WISH_STATUSES,
    AgeBand,
    AllocationRound,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Capacity,
    Child,
    Facility,
    FacilityConcept,
    FacilityLanguage,
    FacilityType,
    Guardianship,
    Offer,
    OfferStatus,
    Placement,
    PlacementStatus,
    PriorityPolicy,
    Provider,
    ProviderKind,
    StaffMembership,
    StaffRole,
    Wish,
    WishStatus,
)
from notifications.models import OutboxMessage
from portal.models import PortalSettings, User

BANDS_BY_TYPE = {
    FacilityType.KITA: {AgeBand.UNDER_THREE, AgeBand.THREE_TO_SCHOOL},
    FacilityType.KRIPPE: {AgeBand.UNDER_THREE},
    FacilityType.KINDERGARTEN: {AgeBand.THREE_TO_SCHOOL},
    FacilityType.HORT: {AgeBand.SCHOOL},
    FacilityType.CHILDMINDER: {AgeBand.UNDER_THREE},
}
SEEDED_MODELS = (
    Provider,
    Facility,
    FacilityConcept,
    FacilityLanguage,
    Capacity,
    User,
    EmailAddress,
    StaffMembership,
    Child,
    Guardianship,
    Application,
    Wish,
    Offer,
    Placement,
    ApplicationEvent,
    PortalSettings,
    PriorityPolicy,
)
PARENT_EMAILS = [
    "eltern.schmidt@musterstadt.example",
    "eltern.oezdemir@musterstadt.example",
    "parent.miller@musterstadt.example",
]


@pytest.fixture(autouse=True)
def _debug(settings):
    # The test runner switches DEBUG off; the command only runs with it on.
    settings.DEBUG = True


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _town(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction that is rolled back at its end.

    Each test still runs in its own savepoint (the ``db`` fixture), so a test that changes
    the town leaves it as it was for the next.
    """
    # The same fast hasher and e-mail backend as every test gets from tests/conftest.py.
    fast = override_settings(
        DEBUG=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_town, db):
    return _town


def application(reference):
    return Application.objects.get(reference=reference)


def age_in_years(birth_date, day):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def test_creates_active_facilities_of_every_type_and_provider_kind(seeded):
    facilities = Facility.objects.filter(is_active=True)

    assert facilities.count() >= 24
    assert set(facilities.values_list("type", flat=True)) == set(FacilityType.values)
    assert set(facilities.values_list("provider__kind", flat=True)) == set(ProviderKind.values)


def test_facilities_lie_in_musterstadt_within_five_km_of_the_centre(seeded):
    for facility in Facility.objects.all():
        north_km = (float(facility.latitude) - 50.05) * 111.2
        east_km = (float(facility.longitude) - 8.69) * 111.2 * math.cos(math.radians(50.05))

        assert math.hypot(north_km, east_km) < 5, facility.name
        assert facility.city == "Musterstadt"
        assert "63000" <= facility.postcode <= "63009"
        assert facility.opens_at < facility.closes_at
        assert facility.description
        assert facility.district
        assert facility.phone
        assert facility.email.endswith(".example")
        assert ".example/" in facility.website


def test_every_facility_has_concepts_languages_and_capacities_that_fit_its_type(seeded):
    for facility in Facility.objects.prefetch_related("capacities", "concepts", "languages"):
        capacities = {c.age_band: c.places for c in facility.capacities.all()}

        assert set(capacities) == BANDS_BY_TYPE[facility.type], facility.name
        assert all(places > 0 for places in capacities.values())
        assert facility.concepts.exists()
        assert facility.languages.filter(language="de").exists()
    assert set(
        Capacity.objects.filter(facility__type=FacilityType.CHILDMINDER).values_list("places", flat=True)
    ) == {5}


def test_two_facilities_take_no_applications_and_some_offer_automatically(seeded):
    assert Facility.objects.filter(accepts_applications=False).count() == 2
    assert Facility.objects.filter(offers_automatically=True).count() >= 2


def test_running_twice_creates_and_changes_nothing(seeded):
    def snapshot():
        return (
            {model.__name__: model.objects.count() for model in SEEDED_MODELS},
            list(User.objects.order_by("email").values_list("email", "password")),
            list(Application.objects.order_by("reference").values_list("reference", "status", "updated_at")),
            list(Offer.objects.order_by("pk").values_list("status", "expires_at")),
        )

    before = snapshot()
    seed()

    assert snapshot() == before


def test_existing_account_keeps_its_password_and_is_not_touched(seeded):
    user = User.objects.get(email="eltern.schmidt@musterstadt.example")
    EmailAddress.objects.filter(user=user).delete()
    user.set_password("my own secret 123")
    user.save()

    seed()

    user.refresh_from_db()
    assert user.check_password("my own secret 123")
    assert not EmailAddress.objects.filter(user=user).exists()


def test_every_facility_has_a_leader_with_a_verified_address(seeded):
    for facility in Facility.objects.all():
        leader = StaffMembership.objects.get(facility=facility, role=StaffRole.LEADER).user

        assert leader.email == f"leitung.{facility.slug}@musterstadt.example"
        assert not leader.is_staff
        assert not leader.is_municipal_office
        assert EmailAddress.objects.filter(
            user=leader, email=leader.email, verified=True, primary=True
        ).exists()


def test_municipal_office_account_can_use_the_admin(seeded):
    office = User.objects.get(email="fachbereich@musterstadt.example")

    assert office.is_municipal_office
    assert office.is_staff
    assert office.is_superuser
    assert office.check_password(DEMO_PASSWORD)
    assert PortalSettings.load().municipality_name == "Musterstadt"


@pytest.mark.parametrize("email", PARENT_EMAILS)
def test_demo_parent_can_sign_in_with_the_demo_password(client, seeded, email):
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response.wsgi_request.user.email == email


def test_english_parent_gets_english_and_the_others_german(seeded):
    languages = dict(User.objects.filter(email__in=PARENT_EMAILS).values_list("email", "language"))

    assert languages == {
        "eltern.schmidt@musterstadt.example": "de",
        "eltern.oezdemir@musterstadt.example": "de",
        "parent.miller@musterstadt.example": "en",
    }


def test_families_include_an_unborn_child_and_two_siblings(seeded):
    unborn = Child.objects.get(guardians__email="eltern.oezdemir@musterstadt.example")
    schmidt_children = Child.objects.filter(guardianships__user__email="eltern.schmidt@musterstadt.example")

    assert unborn.birth_date_is_expected
    assert unborn.birth_date > timezone.localdate()
    assert schmidt_children.count() == 2


def test_named_parents_have_the_stories_the_command_lists(seeded):
    stories = {
        email: sorted(
            Application.objects.filter(child__guardians__email=email).values_list(
                "child__first_name", "status"
            )
        )
        for email in PARENT_EMAILS
    }

    assert stories == {
        "eltern.schmidt@musterstadt.example": [("Emma", "submitted"), ("Paul", "offered")],
        "eltern.oezdemir@musterstadt.example": [("Ayla", "draft")],
        "parent.miller@musterstadt.example": [("Oliver", "placed")],
    }
    assert application("KP-DEMO0001").submitted_at is None
    waiting = application("KP-DEMO0002")
    assert waiting.submitted_at is not None
    assert list(waiting.wishes.values_list("rank", "status")) == [(r, WishStatus.ACTIVE) for r in (1, 2, 3)]


def test_offered_application_has_exactly_one_open_offer_with_a_future_deadline(seeded):
    offered = application("KP-DEMO0003")
    offer = offered.offers.get()

    assert offer.status == OfferStatus.OPEN
    assert offer.expires_at > timezone.now()
    assert offer.start_date > timezone.localdate()
    assert list(offered.wishes.filter(status=WishStatus.OFFERED)) == [offer.wish]
    assert list(offered.events.values_list("kind", "to_status"))[-1] == (
        "offer_made",
        ApplicationStatus.OFFERED,
    )


def test_placed_application_has_an_active_placement_from_its_accepted_offer(seeded):
    placed = application("KP-DEMO0004")
    offer = placed.offers.get()
    placement = Placement.objects.get(child=placed.child)

    assert offer.status == OfferStatus.ACCEPTED
    assert offer.decided_at is not None
    assert offer.wish.status == WishStatus.ACCEPTED
    assert set(placed.wishes.exclude(pk=offer.wish.pk).values_list("status", flat=True)) == {
        WishStatus.INACTIVE
    }
    assert placement.status == PlacementStatus.ACTIVE
    assert placement.source_offer == offer
    assert (placement.facility, placement.age_band) == (offer.wish.facility, offer.wish.age_band)
    assert list(placed.events.values_list("kind", "from_status", "to_status"))[-1] == (
        "offer_accepted",
        ApplicationStatus.OFFERED,
        ApplicationStatus.PLACED,
    )


# Events about one wish, or without a status change, sit between the application's own steps.
NOT_APPLICATION_STEPS = {"wish_rejected", "wish_withdrawn", "interest_confirmed", "note", "edited"}


def test_timeline_is_in_order_starts_with_the_creation_and_leads_to_the_status(seeded):
    timelines = {}
    for event in ApplicationEvent.objects.order_by("created_at", "pk"):
        timelines.setdefault(event.application_id, []).append(event)
    statuses = dict(Application.objects.values_list("pk", "status"))

    assert set(timelines) == set(statuses)
    for pk, events in timelines.items():
        steps = [e for e in events if e.kind not in NOT_APPLICATION_STEPS]
        assert events[0].kind == "created"
        assert all(e.created_at <= timezone.now() for e in events)
        for earlier, later in zip(steps, steps[1:], strict=False):
            assert later.from_status == earlier.to_status, (pk, later.kind)
        assert steps[-1].to_status == statuses[pk]


def test_wish_age_band_fits_the_childs_age_at_start_and_a_capacity_of_the_facility(seeded):
    calendar = PortalSettings.load().school_calendar
    bands = set(Capacity.objects.filter(places__gt=0).values_list("facility_id", "age_band"))
    wishes = Wish.objects.select_related("application__child", "facility")

    for wish in wishes:
        app = wish.application
        assert wish.age_band == age_band_on(app.child.birth_date, app.desired_start_date, **calendar), wish
        assert (wish.facility_id, wish.age_band) in bands, wish
        assert wish.facility.accepts_applications
        assert app.care_hours_per_week <= wish.facility.max_care_hours
    assert set(wishes.values_list("age_band", flat=True)) == set(AgeBand.values)


def test_refuses_without_debug_and_writes_nothing(seeded, settings):
    User.objects.filter(email="parent.miller@musterstadt.example").delete()
    before = {model.__name__: model.objects.count() for model in SEEDED_MODELS}
    settings.DEBUG = False

    with pytest.raises(CommandError, match="not allowed in production"):
        seed()

    assert {model.__name__: model.objects.count() for model in SEEDED_MODELS} == before


def test_output_lists_every_account_and_the_password(seeded):
    for account in demo_accounts():
        assert account.email in seeded
    assert DEMO_PASSWORD in seeded
    named = User.objects.filter(email__in=[account.email for account in demo_accounts()])
    assert named.count() == len(demo_accounts())


# --- the town at scale ------------------------------------------------------------------------------------


def children_by_band_today():
    calendar, today = PortalSettings.load().school_calendar, timezone.localdate()
    return Counter(
        age_band_on(birth, today, **calendar) for birth in Child.objects.values_list("birth_date", flat=True)
    )


def test_the_town_has_the_children_and_places_of_a_town_of_forty_thousand(seeded):
    places = dict(
        Capacity.objects.values_list("age_band")
        .annotate(total=Sum("places"))
        .values_list("age_band", "total")
    )
    children = children_by_band_today()

    assert 28 <= Facility.objects.count() <= 34
    assert 370 <= places[AgeBand.UNDER_THREE] <= 430
    assert 1450 <= places[AgeBand.THREE_TO_SCHOOL] <= 1650
    assert 650 <= children[AgeBand.UNDER_THREE] <= 950
    assert 1500 <= children[AgeBand.THREE_TO_SCHOOL] <= 1900
    assert Placement.objects.filter(status=PlacementStatus.ACTIVE).count() >= 1500


def test_no_program_is_ever_overbooked_by_placements_and_open_offers(seeded):
    taken = capacity.occupancies_by_band(
        facility_ids=list(Facility.objects.values_list("pk", flat=True)), from_date=datetime.date(2000, 1, 1)
    )
    start = PortalSettings.load().next_year_start(timezone.localdate() + datetime.timedelta(days=1))
    free_at_start = []
    for row in Capacity.objects.all():
        held = taken[row.facility_id, row.age_band]
        days = {timezone.localdate(), start} | {occupancy.start for occupancy in held}
        assert min(capacity.free_places_on(row.places, held, day) for day in days) >= 0, row
        free_at_start.append(capacity.free_places_on(row.places, held, start))
    # Many groups are full on the next year start, some have a few places left for the round.
    assert sum(1 for free in free_at_start if free == 0) >= 10
    assert sum(1 for free in free_at_start if 1 <= free <= 4) >= 5


def test_most_waitlists_hold_several_children_with_different_points(seeded):
    listed = Wish.objects.filter(
        status__in=LISTED_WISH_STATUSES, application__status__in=LISTED_APPLICATION_STATUSES
    )
    lengths = Counter(listed.values_list("facility_id", "age_band"))
    programs = Capacity.objects.filter(facility__accepts_applications=True).count()

    assert sum(1 for length in lengths.values() if length > 1) >= programs / 2
    assert len(set(listed.values_list("points", flat=True))) >= 10
    assert set(
        listed.exclude(points_explanation={}).values_list("points_explanation__months_waited", flat=True)
    )
    assert listed.filter(sibling_at_facility=True).exists()
    assert listed.filter(points_explanation__hardship__gt=0).exists()


def test_applications_in_every_state_with_consistent_wishes_and_offers(seeded):
    statuses = Counter(Application.objects.values_list("status", flat=True))
    open_offers = Counter(
        Offer.objects.filter(status=OfferStatus.OPEN).values_list("application_id", flat=True)
    )
    offered_wishes = Counter(
        Wish.objects.filter(status=WishStatus.OFFERED).values_list("application_id", flat=True)
    )

    assert set(statuses) == set(ApplicationStatus.values)
    assert all(statuses[status] >= 20 for status in ApplicationStatus.values)
    assert 800 <= sum(statuses.values()) <= 2000
    offered = set(Application.objects.filter(status=ApplicationStatus.OFFERED).values_list("pk", flat=True))
    assert set(open_offers) == set(offered_wishes) == offered
    assert set(open_offers.values()) == set(offered_wishes.values()) == {1}
    placed = Wish.objects.filter(application__status=ApplicationStatus.PLACED)
    assert set(placed.values_list("status", flat=True)) == {WishStatus.ACCEPTED, WishStatus.INACTIVE}
    accepted = Offer.objects.filter(status=OfferStatus.ACCEPTED)
    assert (
        accepted.count()
        == statuses[ApplicationStatus.PLACED]
        == accepted.filter(placement__isnull=False).count()
    )
    assert Offer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=timezone.now()).count() == 0
    waiting = Application.objects.filter(status__in=LISTED_APPLICATION_STATUSES)
    interval = PortalSettings.load().reconfirmation_interval_months
    assert not waiting.filter(
        last_confirmed_at__lte=timezone.now() - datetime.timedelta(days=30 * interval)
    ).exists()
    assert (
        not waiting.exclude(wishes__status=WishStatus.ACTIVE)
        .exclude(status=ApplicationStatus.OFFERED)
        .exists()
    )


def test_submissions_spread_over_eighteen_months_so_months_waited_differ(seeded):
    submitted = Application.objects.exclude(submitted_at=None).values_list("submitted_at", flat=True)
    ages = {(timezone.now() - moment).days // 30 for moment in submitted}

    assert max(ages) >= 15
    assert len(ages) >= 12


def test_a_computed_unpublished_round_for_the_next_year_start(seeded):
    start = PortalSettings.load().next_year_start(timezone.localdate() + datetime.timedelta(days=1))
    round_ = AllocationRound.objects.get()

    assert round_.target_start_date == start
    assert round_.status == AllocationRound.Status.COMPUTED
    assert round_.statistics["applicants"] > 100
    assert 0 < round_.statistics["matched"] < round_.statistics["applicants"]
    assert round_.statistics["blocking_pairs"] == 0


def test_the_synthetic_families_get_no_mail_and_share_one_password_hash(seeded):
    named = [account.email for account in demo_accounts()]
    families = User.objects.filter(guardianships__isnull=False).exclude(email__in=named).distinct()

    assert families.count() >= 1500
    assert set(families.values_list("email", flat=True)) == set(
        families.filter(email__endswith="@musterstadt.example").values_list("email", flat=True)
    )
    assert families.values("password").distinct().count() == 1
    assert families.first().check_password(DEMO_PASSWORD)
    assert not OutboxMessage.objects.exists()
