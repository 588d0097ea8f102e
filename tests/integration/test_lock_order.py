"""Services tier: the locking rule keeps withdraw-versus-offer races free of deadlocks.

Withdrawing an application and accepting or making an offer touch the same rows. Both lock
by the rule (capacity, application, wishes, offers), so one waits for the other and the loser
gets a clean DomainError. A control run reverses the order for the withdrawal and shows the
deadlock PostgreSQL then reports, which was a 500 for the family.

To make the interleaving likely on every pair, each group of locks is taken by its own
query with a short pause in between, for both sides alike.
"""

import datetime
import threading
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from childcare.admissions import applications, locking, offers
from childcare.errors import DomainError
from childcare.models import AgeBand, Application, ApplicationStatus, OfferStatus, Placement
from tests.factories import ApplicationFactory, CapacityFactory, GuardianshipFactory, UserFactory, WishFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
START = timezone.localdate() + datetime.timedelta(days=60)
PAIRS = 50
RULE = ("capacities", "applications", "wishes", "offers")
PAUSE = 0.02


def stepwise(order):
    """lock_rows taking one group per query in ``order``, pausing between groups."""
    real = locking.lock_rows

    def lock_rows(**groups):
        merged = locking.Locked()
        for name in order:
            if groups.get(name):
                part = real(**{name: groups[name]})
                getattr(merged, name).update(getattr(part, name))
                time.sleep(PAUSE)
        locking._wire(merged)
        return merged

    return lock_rows


def race(*actions):
    """Run the actions at the same moment in their own threads (and database connections)."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as error:  # noqa: BLE001 (every outcome is inspected by the caller)
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def is_deadlock(outcome) -> bool:
    return isinstance(outcome, OperationalError) and "deadlock detected" in str(outcome)


def server_errors(outcomes) -> list:
    return [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, DomainError)]


@pytest.fixture(autouse=True)
def _messages_stay_queued(monkeypatch):
    """Delivery is not under test here; rendering a PDF per message would only slow the races."""
    monkeypatch.setattr("notifications.services.enqueue_delivery", lambda message_id: True)


@pytest.fixture
def program(facility):
    CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=PAIRS * 2)
    return facility


def family(facility):
    application = ApplicationFactory(desired_start_date=START)
    guardian = UserFactory()
    GuardianshipFactory(user=guardian, child=application.child)
    wish = WishFactory(application=application, facility=facility, age_band=AgeBand.THREE_TO_SCHOOL)
    return guardian, wish


def withdraw_versus_accept(facility, staff):
    outcomes, applications_raced = [], []
    for _pair in range(PAIRS):
        guardian, wish = family(facility)
        offer = offers.make_offer(wish=wish, start_date=START, by=staff)
        outcomes += race(
            lambda a=wish.application, g=guardian: applications.withdraw_application(application=a, by=g),
            lambda o=offer, g=guardian: offers.accept_offer(offer=o, by=g),
        )
        applications_raced.append(wish.application)
    return outcomes, applications_raced


def withdraw_versus_make(facility, staff):
    outcomes, applications_raced = [], []
    for _pair in range(PAIRS):
        guardian, wish = family(facility)
        outcomes += race(
            lambda a=wish.application, g=guardian: applications.withdraw_application(application=a, by=g),
            lambda w=wish: offers.make_offer(wish=w, start_date=START, by=staff),
        )
        applications_raced.append(wish.application)
    return outcomes, applications_raced


def assert_consistent(applications_raced):
    for application in applications_raced:
        application.refresh_from_db()
        open_offers = application.offers.filter(status=OfferStatus.OPEN).count()
        placed = Placement.objects.filter(source_offer__application=application).exists()
        if application.status == ApplicationStatus.WITHDRAWN:
            assert (open_offers, placed) == (0, False), application.reference
        else:
            # Withdrawal lost: the offer was accepted first, or the offer was made and is still open.
            assert application.status in (ApplicationStatus.PLACED, ApplicationStatus.OFFERED)
            assert placed == (application.status == ApplicationStatus.PLACED)


@pytest.mark.parametrize("scenario", [withdraw_versus_accept, withdraw_versus_make], ids=lambda f: f.__name__)
def test_withdraw_and_offer_races_end_without_server_errors(scenario, program, staff, monkeypatch):
    monkeypatch.setattr(applications, "lock_rows", stepwise(RULE))
    monkeypatch.setattr(offers, "lock_rows", stepwise(RULE))
    outcomes, raced = scenario(program, staff)
    assert server_errors(outcomes) == []
    assert sum(isinstance(o, DomainError) for o in outcomes) >= 1  # some pairs really collided
    assert_consistent(raced)


@pytest.mark.parametrize("scenario", [withdraw_versus_accept, withdraw_versus_make], ids=lambda f: f.__name__)
def test_control_the_reversed_order_deadlocks(scenario, program, staff, monkeypatch):
    monkeypatch.setattr(applications, "lock_rows", stepwise(tuple(reversed(RULE))))
    monkeypatch.setattr(offers, "lock_rows", stepwise(RULE))
    outcomes, _raced = scenario(program, staff)
    deadlocks = sum(is_deadlock(o) for o in outcomes)
    print(f"{scenario.__name__}: {deadlocks} deadlocks in {PAIRS} pairs with the order reversed")
    assert deadlocks >= 1


@pytest.mark.usefixtures("in_english")
def test_a_lock_held_too_long_ends_with_a_clear_message_not_a_hang(program, staff, settings):
    settings.LOCK_TIMEOUT_SECONDS = 1
    guardian, wish = family(program)
    holding, release = threading.Event(), threading.Event()

    def hold_the_application():
        try:
            with transaction.atomic():
                Application.objects.select_for_update().get(pk=wish.application_id)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_application)
    holder.start()
    assert holding.wait(5)
    started = time.monotonic()
    try:
        with pytest.raises(DomainError, match="Someone else is changing this right now"):
            applications.withdraw_application(application=wish.application, by=guardian)
        assert time.monotonic() - started < 4
    finally:
        release.set()
        holder.join(timeout=15)
    wish.application.refresh_from_db()
    assert wish.application.status == ApplicationStatus.SUBMITTED
