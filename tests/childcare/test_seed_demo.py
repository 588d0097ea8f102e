import math
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from childcare.demo.seeding import DEMO_PASSWORD, demo_accounts
from childcare.models import (
    AgeBand,
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


@pytest.fixture
def seeded(db):
    return seed()


def application(status):
    return Application.objects.get(status=status)


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


def test_existing_account_keeps_its_password_and_is_not_touched(db):
    User.objects.create_user("eltern.schmidt@musterstadt.example", password="my own secret 123")

    seed()

    user = User.objects.get(email="eltern.schmidt@musterstadt.example")
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
    unborn = Child.objects.get(birth_date_is_expected=True)
    schmidt_children = Child.objects.filter(guardianships__user__email="eltern.schmidt@musterstadt.example")

    assert unborn.birth_date > timezone.localdate()
    assert unborn.guardians.get().email == "eltern.oezdemir@musterstadt.example"
    assert schmidt_children.count() == 2


def test_applications_cover_draft_waiting_offered_and_placed(seeded):
    assert set(Application.objects.values_list("status", flat=True)) == {
        ApplicationStatus.DRAFT,
        ApplicationStatus.WAITING,
        ApplicationStatus.OFFERED,
        ApplicationStatus.PLACED,
    }
    assert application(ApplicationStatus.DRAFT).submitted_at is None
    waiting = application(ApplicationStatus.WAITING)
    assert waiting.submitted_at is not None
    assert list(waiting.wishes.values_list("rank", "status")) == [(r, WishStatus.ACTIVE) for r in (1, 2, 3)]
    assert all(a.reference.startswith("KP-DEMO") for a in Application.objects.all())


def test_offered_application_has_exactly_one_open_offer_with_a_future_deadline(seeded):
    offered = application(ApplicationStatus.OFFERED)
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
    placed = application(ApplicationStatus.PLACED)
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


def test_timeline_is_in_order_and_starts_with_the_creation(seeded):
    for app in Application.objects.all():
        events = list(app.events.all())

        assert events[0].kind == "created"
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert all(e.created_at <= timezone.now() for e in events)
        for earlier, later in zip(events, events[1:], strict=False):
            assert later.from_status == earlier.to_status


def test_wish_age_band_fits_the_childs_age_at_start_and_a_capacity_of_the_facility(seeded):
    for wish in Wish.objects.select_related("application__child", "facility"):
        age = age_in_years(wish.application.child.birth_date, wish.application.desired_start_date)
        expected_ages = {AgeBand.UNDER_THREE: range(0, 3), AgeBand.THREE_TO_SCHOOL: range(3, 7)}

        assert age in expected_ages.get(wish.age_band, range(6, 11)), wish
        assert wish.facility.capacities.filter(age_band=wish.age_band, places__gt=0).exists(), wish
        assert wish.facility.accepts_applications
        assert wish.application.care_hours_per_week <= wish.facility.max_care_hours
    assert set(Wish.objects.values_list("age_band", flat=True)) == set(AgeBand.values)


def test_refuses_without_debug_and_writes_nothing(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="not allowed in production"):
        seed()

    assert not User.objects.exists()
    assert not Facility.objects.exists()


def test_output_lists_every_account_and_the_password(seeded):
    for account in demo_accounts():
        assert account.email in seeded
    assert DEMO_PASSWORD in seeded
    assert User.objects.filter(email__endswith="@musterstadt.example").count() == len(demo_accounts())
