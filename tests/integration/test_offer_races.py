"""Services tier: real concurrent transactions on PostgreSQL cannot overbook a facility or place twice."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from childcare.admissions import offers
from childcare.errors import DomainError
from childcare.facilities import capacity
from childcare.models import AgeBand, Offer, OfferStatus, Placement
from tests.factories import ApplicationFactory, CapacityFactory, GuardianshipFactory, UserFactory, WishFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
START = timezone.localdate() + datetime.timedelta(days=60)


def race(*actions):
    """Run the actions at the same moment in their own threads (and database connections)."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            outcomes[index] = action()
        except DomainError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def slow_free_place_check(monkeypatch):
    """Widen the window between reading free places and writing the offer, as a slow request would."""
    real = capacity.lowest_free_places_from

    def slow(*args, **kwargs):
        result = real(*args, **kwargs)
        time.sleep(0.5)
        return result

    monkeypatch.setattr(capacity, "lowest_free_places_from", slow)


def test_two_staff_offering_the_last_place_at_once_make_one_offer(facility, staff, slow_free_place_check):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=1)
    wishes = [
        WishFactory(
            facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, application__desired_start_date=START
        )
        for _ in range(2)
    ]
    outcomes = race(*(lambda w=w: offers.make_offer(wish=w, start_date=START, by=staff) for w in wishes))
    assert sum(isinstance(o, Offer) for o in outcomes) == 1
    assert sum(isinstance(o, DomainError) for o in outcomes) == 1
    assert Offer.objects.filter(status=OfferStatus.OPEN).count() == 1


def test_two_guardians_accepting_at_once_create_one_placement(facility, staff):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=3)
    application = ApplicationFactory(desired_start_date=START)
    mother, father = UserFactory(), UserFactory()
    for guardian in (mother, father):
        GuardianshipFactory(user=guardian, child=application.child)
    wish = WishFactory(application=application, facility=facility, age_band=AgeBand.THREE_TO_SCHOOL)
    offer = offers.make_offer(wish=wish, start_date=START, by=staff)
    outcomes = race(
        lambda: offers.accept_offer(offer=offer, by=mother),
        lambda: offers.accept_offer(offer=offer, by=father),
    )
    assert sum(isinstance(o, Placement) for o in outcomes) == 1
    assert Placement.objects.count() == 1
