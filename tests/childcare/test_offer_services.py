import datetime

import pytest
from django.utils import timezone

from childcare.actors import SYSTEM
from childcare.admissions import offers as services
from childcare.errors import DomainError
from childcare.models import (
    AgeBand,
    ApplicationStatus,
    Offer,
    OfferStatus,
    Placement,
    WishStatus,
)
from notifications.models import OutboxMessage
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    GuardianshipFactory,
    PlacementFactory,
    WishFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]
START = timezone.localdate() + datetime.timedelta(days=90)


@pytest.fixture
def capacity(facility):
    return CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=1)


@pytest.fixture
def application(parent, capacity):
    child = ChildFactory(birth_date=START - datetime.timedelta(days=4 * 365))
    GuardianshipFactory(user=parent, child=child)
    application = ApplicationFactory(child=child, desired_start_date=START)
    WishFactory(application=application, facility=capacity.facility, rank=1)
    WishFactory(application=application, rank=2)
    return application


@pytest.fixture
def first_wish(application):
    return application.wishes.get(rank=1)


def test_staff_offer_and_parent_accepts(first_wish, staff, parent, application):
    offer = services.make_offer(wish=first_wish, start_date=START, by=staff)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.OFFERED
    assert OutboxMessage.objects.filter(kind="offer_made", recipient=parent).count() == 1
    placement = services.accept_offer(offer=offer, by=parent)
    assert placement.facility == first_wish.facility
    assert placement.start_date == START
    assert placement.end_date is not None  # Ü3 places end at school entry
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PLACED
    assert dict(application.wishes.values_list("rank", "status")) == {
        1: WishStatus.ACCEPTED,
        2: WishStatus.INACTIVE,
    }
    assert OutboxMessage.objects.filter(kind="offer_accepted", recipient=parent).count() == 1
    assert OutboxMessage.objects.filter(kind="staff_offer_answered", recipient=staff).count() == 1


def test_staff_of_another_facility_cannot_offer(first_wish, other_staff, parent):
    with pytest.raises(DomainError):
        services.make_offer(wish=first_wish, start_date=START, by=other_staff)
    with pytest.raises(DomainError):
        services.make_offer(wish=first_wish, start_date=START, by=parent)
    assert not Offer.objects.exists()


def test_no_offer_without_a_free_place(first_wish, staff, capacity):
    PlacementFactory(
        facility=capacity.facility, age_band=capacity.age_band, start_date=START - datetime.timedelta(days=30)
    )
    with pytest.raises(DomainError, match="no free place"):
        services.make_offer(wish=first_wish, start_date=START, by=staff)
    first_wish.refresh_from_db()
    assert first_wish.status == WishStatus.ACTIVE


def test_an_open_offer_holds_the_place(first_wish, staff, capacity):
    other = WishFactory(facility=capacity.facility, application__desired_start_date=START)
    services.make_offer(wish=first_wish, start_date=START, by=staff)
    with pytest.raises(DomainError, match="no free place"):
        services.make_offer(wish=other, start_date=START, by=staff)


def test_an_offer_after_its_deadline_cannot_be_accepted(first_wish, staff, parent):
    offer = services.make_offer(wish=first_wish, start_date=START, by=staff)
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(DomainError, match="deadline .* has passed"):
        services.accept_offer(offer=offer, by=parent)
    assert not Placement.objects.exists()


def test_declining_returns_the_family_to_the_waitlist(first_wish, staff, parent, application):
    offer = services.decline_offer(
        offer=services.make_offer(wish=first_wish, start_date=START, by=staff), by=parent
    )
    assert offer.status == OfferStatus.DECLINED
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WAITING
    first_wish.refresh_from_db()
    assert first_wish.status == WishStatus.DECLINED


def test_expiry_closes_only_due_offers_and_tells_the_family(first_wish, staff, parent, application):
    offer = services.make_offer(wish=first_wish, start_date=START, by=staff)
    assert services.expire_offer(offer=offer, by=SYSTEM) is False
    assert (
        services.expire_offer(offer=offer, by=SYSTEM, now=offer.expires_at + datetime.timedelta(seconds=1))
        is True
    )
    assert (
        services.expire_offer(offer=offer, by=SYSTEM, now=offer.expires_at + datetime.timedelta(days=1))
        is False
    )
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert OutboxMessage.objects.filter(kind="offer_expired", recipient=parent).count() == 1


def test_withdrawn_offer_puts_the_wish_back(first_wish, staff, application):
    offer = services.withdraw_offer(
        offer=services.make_offer(wish=first_wish, start_date=START, by=staff), by=staff
    )
    assert offer.status == OfferStatus.WITHDRAWN
    first_wish.refresh_from_db()
    assert first_wish.status == WishStatus.ACTIVE
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WAITING


def test_answering_a_closed_offer_is_refused(first_wish, staff, parent):
    offer = services.make_offer(wish=first_wish, start_date=START, by=staff)
    services.decline_offer(offer=offer, by=parent)
    with pytest.raises(DomainError, match="no longer open"):
        services.accept_offer(offer=offer, by=parent)


def test_another_parent_cannot_answer(first_wish, staff, other_parent):
    offer = services.make_offer(wish=first_wish, start_date=START, by=staff)
    with pytest.raises(DomainError):
        services.accept_offer(offer=offer, by=other_parent)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN
