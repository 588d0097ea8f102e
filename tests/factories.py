"""factory-boy factories for the domain; each builds a valid object with the fewest inputs."""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.db import transaction
from django.utils import timezone

from childcare.facilities.availability import refresh_availability
from childcare.models import (
    AgeBand,
    Application,
    ApplicationStatus,
    Capacity,
    Child,
    Facility,
    FacilityType,
    Guardianship,
    Offer,
    OfferStatus,
    Placement,
    Provider,
    ProviderKind,
    StaffMembership,
    StaffRole,
    Wish,
    WishStatus,
)
from portal.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Alex"
    last_name = "Muster"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Users can sign in at once: their address counts as verified unless verified=False."""
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Träger {n}")
    kind = ProviderKind.MUNICIPAL


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    provider = factory.SubFactory(ProviderFactory)
    type = FacilityType.KITA
    name = factory.Sequence(lambda n: f"Kita Sonnenblume {n}")
    slug = factory.Sequence(lambda n: f"kita-sonnenblume-{n}")
    street = "Blumenweg 1"
    postcode = "63000"
    city = "Musterstadt"
    district = "Mitte"
    latitude = Decimal("50.050000")
    longitude = Decimal("8.690000")
    opens_at = datetime.time(7, 0)
    closes_at = datetime.time(17, 0)


def _refresh_availability(facility_id: int, age_band: str) -> None:
    """Rows written by a factory pass the transitions, so the stored free places follow here."""
    with transaction.atomic():
        refresh_availability(programs=[(facility_id, age_band)])


class CapacityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capacity
        skip_postgeneration_save = True

    facility = factory.SubFactory(FacilityFactory)
    age_band = AgeBand.THREE_TO_SCHOOL
    places = 20

    @factory.post_generation
    def availability(obj, create, extracted, **kwargs):
        if create:
            _refresh_availability(obj.facility_id, obj.age_band)


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    first_name = "Mia"
    last_name = "Muster"
    birth_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=2 * 365))


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardianship

    user = factory.SubFactory(UserFactory)
    child = factory.SubFactory(ChildFactory)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    child = factory.SubFactory(ChildFactory)
    desired_start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=180))
    care_hours_per_week = 35
    resides_in_municipality = True
    guardians_working_or_training = 0
    single_parent = False
    hardship_referral = False
    integration_need = False
    status = ApplicationStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    last_confirmed_at = factory.LazyFunction(timezone.now)


class WishFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wish

    application = factory.SubFactory(ApplicationFactory)
    facility = factory.SubFactory(FacilityFactory)
    rank = 1
    age_band = AgeBand.THREE_TO_SCHOOL


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer
        skip_postgeneration_save = True

    wish = factory.SubFactory(WishFactory)
    application = factory.SelfAttribute("wish.application")
    start_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))

    @factory.post_generation
    def offered(obj, create, extracted, **kwargs):
        """An open offer's wish and application are 'offered', as the offer transition leaves them."""
        if create and obj.status == OfferStatus.OPEN:
            Wish.objects.filter(pk=obj.wish_id).update(status=WishStatus.OFFERED)
            Application.objects.filter(pk=obj.application_id).update(status=ApplicationStatus.OFFERED)
            obj.wish.status = WishStatus.OFFERED
            obj.application.status = obj.wish.application.status = ApplicationStatus.OFFERED
        if create:
            _refresh_availability(obj.wish.facility_id, obj.wish.age_band)


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement
        skip_postgeneration_save = True

    child = factory.SubFactory(ChildFactory)
    facility = factory.SubFactory(FacilityFactory)
    age_band = AgeBand.THREE_TO_SCHOOL
    start_date = datetime.date(2026, 8, 1)
    end_date = None
    care_hours_per_week = 35

    @factory.post_generation
    def availability(obj, create, extracted, **kwargs):
        if create:
            _refresh_availability(obj.facility_id, obj.age_band)


class StaffMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    facility = factory.SubFactory(FacilityFactory)
    role = StaffRole.LEADER

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """Staff have an authenticator app, as the portal demands; ``second_factor=False`` for one without."""
        if create and extracted is not False and not is_mfa_enabled(self.user):
            TOTP.activate(self.user, generate_totp_secret())
