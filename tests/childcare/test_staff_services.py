import datetime

import pytest
from django.utils import timezone

from childcare.admissions import offers
from childcare.admissions import waitlist_actions as staff_services
from childcare.errors import DomainError
from childcare.models import AgeBand, ApplicationStatus, Offer, OfferStatus, Placement, WishStatus
from notifications.models import OutboxMessage
from tests.factories import ApplicationFactory, CapacityFactory, GuardianshipFactory, WishFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]
START = timezone.localdate() + datetime.timedelta(days=60)


def candidate(facility, points, *, guardian=None, rank=1):
    application = ApplicationFactory(desired_start_date=START)
    if guardian:
        GuardianshipFactory(user=guardian, child=application.child)
    return WishFactory(
        application=application, facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, points=points, rank=rank
    )


@pytest.fixture
def two_places(facility):
    return CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=2)


def test_rejecting_needs_a_reason_and_tells_the_family(facility, staff, parent, two_places):
    wish = candidate(facility, 10, guardian=parent)
    with pytest.raises(DomainError, match="give a reason"):
        staff_services.reject_wish(wish=wish, by=staff, reason="  ")
    staff_services.reject_wish(wish=wish, by=staff, reason="Wir haben keine Plätze für 45 Stunden.")
    wish.refresh_from_db()
    assert wish.status == WishStatus.REJECTED
    wish.application.refresh_from_db()
    assert wish.application.status == ApplicationStatus.CLOSED  # it was the only wish
    # One message says both: the wish is rejected and the application ended (not "your other wishes").
    assert not OutboxMessage.objects.filter(kind="wish_rejected").exists()
    message = OutboxMessage.objects.get(kind="application_closed", recipient=parent)
    assert "45 Stunden" in message.body_text
    assert "übrigen Wünsche" not in message.body_text


def test_staff_of_another_facility_cannot_reject_or_place(facility, other_staff, parent, two_places):
    wish = candidate(facility, 10, guardian=parent)
    with pytest.raises(DomainError):
        staff_services.reject_wish(wish=wish, by=other_staff, reason="no")
    with pytest.raises(DomainError):
        staff_services.record_placement(wish=wish, by=other_staff, start_date=START)
    with pytest.raises(DomainError):
        staff_services.add_note(application=wish.application, by=parent, text="hello")
    wish.refresh_from_db()
    assert wish.status == WishStatus.ACTIVE
    assert not Placement.objects.exists()


def test_recording_an_offline_placement_sends_only_the_confirmation(facility, staff, parent, two_places):
    wish = candidate(facility, 10, guardian=parent)
    placement = staff_services.record_placement(wish=wish, by=staff, start_date=START, care_hours_per_week=25)
    assert placement.care_hours_per_week == 25
    assert Placement.objects.get().care_hours_per_week == 25
    kinds = list(OutboxMessage.objects.filter(recipient=parent).values_list("kind", flat=True))
    assert kinds == ["placement_recorded"]
    assert not OutboxMessage.objects.filter(recipient=staff).exists()


def test_internal_notes_are_hidden_from_parents(facility, staff, two_places):
    wish = candidate(facility, 10)
    event = staff_services.add_note(application=wish.application, by=staff, text="Mutter hat angerufen.")
    assert event.visible_to_parents is False


def test_offer_next_offers_the_top_candidates_but_never_more_than_free_places(facility, staff, two_places):
    low, high, middle = candidate(facility, 5), candidate(facility, 90), candidate(facility, 50)
    made = staff_services.offer_next(
        facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, start_date=START, by=staff, count=5
    )
    assert [offer.wish for offer in made] == [high, middle]
    with pytest.raises(DomainError, match="no free place"):
        staff_services.offer_next(
            facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, start_date=START, by=staff
        )
    low.refresh_from_db()
    assert low.status == WishStatus.ACTIVE


def test_offer_next_refuses_silly_counts(facility, staff, two_places):
    for count in (0, 10_000):
        with pytest.raises(DomainError, match="between 1 and"):
            staff_services.offer_next(
                facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, start_date=START, by=staff, count=count
            )


def test_a_decline_moves_on_to_the_next_candidate_when_the_facility_offers_automatically(
    facility, staff, parent, two_places
):
    facility.offers_automatically = True
    facility.save()
    two_places.places = 1
    two_places.save()
    first, second = candidate(facility, 90, guardian=parent), candidate(facility, 50)
    offer = offers.make_offer(wish=first, start_date=START, by=staff)
    offers.decline_offer(offer=offer, by=parent)
    successor = Offer.objects.get(status=OfferStatus.OPEN)
    assert successor.wish == second


def test_a_withdrawn_offer_is_not_simply_made_again_and_manual_facilities_wait(facility, staff, two_places):
    facility.offers_automatically = True
    facility.save()
    two_places.places = 1
    two_places.save()
    first, second = candidate(facility, 90), candidate(facility, 50)
    offers.withdraw_offer(offer=offers.make_offer(wish=first, start_date=START, by=staff), by=staff)
    assert Offer.objects.get(status=OfferStatus.OPEN).wish == second
    facility.offers_automatically = False
    facility.save()
    offers.withdraw_offer(offer=Offer.objects.get(status=OfferStatus.OPEN), by=staff)
    assert not Offer.objects.filter(status=OfferStatus.OPEN).exists()
