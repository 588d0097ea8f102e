import datetime

import pytest
import time_machine

from childcare.admissions import retention
from childcare.models import ApplicationStatus, Child, PlacementStatus
from tests.factories import ApplicationFactory, ChildFactory, PlacementFactory

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2024, 1, 10, 9, 0, tzinfo=datetime.UTC)


def at(moment, make):
    with time_machine.travel(moment, tick=False):
        return make()


def test_closed_records_are_anonymised_after_the_retention_period_only():
    withdrawn = at(
        T0, lambda: ApplicationFactory(status=ApplicationStatus.WITHDRAWN, child__first_name="Lena")
    )
    waiting = at(T0, lambda: ApplicationFactory(status=ApplicationStatus.WAITING, child__first_name="Tom"))
    placed_child = at(T0, lambda: ChildFactory(first_name="Ida"))
    at(T0, lambda: PlacementFactory(child=placed_child, start_date=datetime.date(2024, 8, 1)))
    with time_machine.travel(T0 + datetime.timedelta(days=700), tick=False):
        assert retention.anonymise_closed_records() == 0  # not yet 24 months
    with time_machine.travel(T0 + datetime.timedelta(days=740), tick=False):
        assert retention.anonymise_closed_records() == 1
        assert retention.anonymise_closed_records() == 0
    names = dict(Child.objects.values_list("pk", "first_name"))
    assert names[withdrawn.child_id] == "–"
    assert names[waiting.child_id] == "Tom"  # still waiting for a place
    assert names[placed_child.pk] == "Ida"  # attends a facility
    withdrawn.refresh_from_db()
    assert withdrawn.reference  # statistics keep the record itself


def test_a_place_that_ended_long_ago_does_not_keep_the_data():
    child = at(T0, lambda: ChildFactory(first_name="Ole"))
    at(
        T0,
        lambda: PlacementFactory(
            child=child, start_date=datetime.date(2023, 8, 1), end_date=datetime.date(2024, 2, 1)
        ),
    )
    at(T0, lambda: PlacementFactory(child=ChildFactory(), status=PlacementStatus.CANCELLED))
    with time_machine.travel(datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC), tick=False):
        assert retention.anonymise_closed_records() >= 1
    child.refresh_from_db()
    assert child.first_name == "–"
