"""A wish's waitlist keys (listed, its application's submission time and lottery number) are kept
by the database, whichever way a wish or its application is written.

The autouse check in tests/conftest.py holds them after every test of the suite; these tests show
each way of writing on its own, with the keys read back from the database.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from childcare.actors import SYSTEM
from childcare.admissions import waitlist
from childcare.admissions.transitions import application as application_transitions
from childcare.admissions.transitions import wish as wish_transitions
from childcare.models import Application, ApplicationStatus, Wish, WishStatus
from tests.factories import ApplicationFactory, FacilityFactory, WishFactory

pytestmark = pytest.mark.django_db


def keys(wish: Wish) -> tuple:
    return Wish.objects.values_list("listed", "application_submitted_at", "application_lottery_number").get(
        pk=wish.pk
    )


def test_a_wish_written_into_a_submitted_application_is_listed_with_its_keys():
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED, lottery_number=4711)
    wish = WishFactory(application=application)

    assert keys(wish) == (True, application.submitted_at, 4711)


def test_a_draft_s_wish_is_not_listed_until_the_application_is_submitted():
    application = ApplicationFactory(status=ApplicationStatus.DRAFT, submitted_at=None)
    wish = WishFactory(application=application)
    assert keys(wish) == (False, None, application.lottery_number)

    with transaction.atomic():
        application_transitions.submit(application=application, by=SYSTEM)

    application.refresh_from_db()
    assert keys(wish) == (True, application.submitted_at, application.lottery_number)


def test_withdrawing_the_application_takes_all_its_wishes_off_the_lists():
    application = ApplicationFactory()
    wishes = [WishFactory(application=application, rank=rank) for rank in (1, 2)]

    with transaction.atomic():
        application_transitions.withdraw(application=application, by=SYSTEM)

    assert [keys(wish)[0] for wish in wishes] == [False, False]


def test_an_offered_application_stays_on_the_lists_and_a_closed_wish_leaves_its_own():
    application = ApplicationFactory()
    kept, withdrawn = (
        WishFactory(application=application, rank=1),
        WishFactory(application=application, rank=2),
    )
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.OFFERED)

    with transaction.atomic():
        wish_transitions.withdraw(wish=Wish.objects.get(pk=withdrawn.pk), by=SYSTEM)

    assert keys(kept)[0] is True
    assert keys(withdrawn)[0] is False


def test_a_stale_copy_of_a_wish_saved_whole_does_not_bring_back_old_keys():
    application = ApplicationFactory()
    wish = WishFactory(application=application)
    stale = Wish.objects.get(pk=wish.pk)  # loaded while listed
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.WITHDRAWN)

    stale.points = 7
    stale.save()  # every column, the loaded keys included

    assert keys(wish)[0] is False
    assert Wish.objects.get(pk=wish.pk).points == 7


def test_the_keys_cannot_be_written_by_hand():
    application = ApplicationFactory(status=ApplicationStatus.DRAFT, submitted_at=None)
    wish = WishFactory(application=application)

    Wish.objects.filter(pk=wish.pk).update(
        listed=True, application_submitted_at=timezone.now(), application_lottery_number=1
    )

    assert keys(wish) == (False, None, application.lottery_number)


def test_a_changed_submission_time_moves_the_wish_in_its_list():
    facility = FacilityFactory()
    earlier = timezone.now() - datetime.timedelta(days=10)
    first = WishFactory(
        facility=facility, application=ApplicationFactory(submitted_at=earlier, lottery_number=1)
    )
    second = WishFactory(
        facility=facility, application=ApplicationFactory(submitted_at=earlier, lottery_number=2)
    )
    assert list(waitlist.waitlist(facility_id=facility.pk)) == [first, second]

    Application.objects.filter(pk=first.application_id).update(submitted_at=timezone.now())

    assert list(waitlist.waitlist(facility_id=facility.pk)) == [second, first]
    assert keys(first)[1] == Application.objects.get(pk=first.application_id).submitted_at


def test_bulk_writes_keep_the_keys():
    """A queryset update of many applications, as a round's bulk offers and expiries write them."""
    applications = [ApplicationFactory() for _ in range(3)]
    wishes = [WishFactory(application=application) for application in applications]

    Application.objects.filter(pk__in=[a.pk for a in applications[:2]]).update(
        status=ApplicationStatus.PLACED
    )
    Wish.objects.filter(pk=wishes[2].pk).update(status=WishStatus.DECLINED)
    Wish.objects.bulk_create(
        [Wish(application=applications[2], facility=FacilityFactory(), rank=2, age_band="u3")]
    )

    assert [keys(wish)[0] for wish in wishes] == [False, False, False]
    assert Wish.objects.get(application=applications[2], rank=2).listed is True
    assert set(Wish.objects.filter(waitlist.ON_WAITLIST)) == set(
        Wish.objects.filter(waitlist.LISTED_BY_STATUS)
    )


def test_the_triggers_are_in_the_database():
    """SQLite drops a table's triggers when a migration rebuilds the table: a later migration that
    rebuilds the wish or application table must create them again, and this test says so."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'childcare_%%_queue_keys%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%queue_keys%'"
            )
        names = {row[0] for row in cursor.fetchall()}
    expected = (
        {"childcare_wish_queue_keys", "childcare_application_queue_keys"}
        if connection.vendor == "postgresql"
        else {
            "childcare_wish_queue_keys_insert",
            "childcare_wish_queue_keys_update",
            "childcare_application_queue_keys",
        }
    )
    assert names == expected
