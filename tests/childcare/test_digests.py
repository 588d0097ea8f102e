import datetime

import pytest
from django.utils import timezone

from childcare.admissions import digests
from childcare.models import AgeBand, Wish
from notifications.models import NotificationPreference, OutboxMessage
from tests.factories import ApplicationFactory, GuardianshipFactory, WishFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_get_one_digest_per_facility_and_day(facility, staff, other_staff):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    noon = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(12)))
    for _ in range(2):
        WishFactory(facility=facility, application=ApplicationFactory(submitted_at=noon))
    WishFactory(facility=facility, application=ApplicationFactory(submitted_at=timezone.now()))  # today
    assert digests.send_staff_digests() == 1
    assert digests.send_staff_digests() == 1
    digest = OutboxMessage.objects.get(kind="staff_new_applications_digest")
    assert digest.recipient == staff
    assert "2" in digest.body_text
    assert not OutboxMessage.objects.filter(recipient=other_staff).exists()


def test_staff_who_switched_the_digest_off_get_none(facility, staff):
    NotificationPreference.objects.create(
        user=staff, kind="staff_new_applications_digest", email_enabled=False
    )
    yesterday = timezone.now() - datetime.timedelta(days=1)
    WishFactory(facility=facility, application=ApplicationFactory(submitted_at=yesterday))
    digests.send_staff_digests()
    assert not OutboxMessage.objects.exists()


@pytest.fixture
def my_wish(parent, facility):
    application = ApplicationFactory()
    GuardianshipFactory(user=parent, child=application.child)
    return WishFactory(
        application=application, facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, points=10
    )


def test_families_who_opted_in_hear_when_their_place_improves_by_the_step(parent, facility, my_wish):
    NotificationPreference.objects.create(user=parent, kind="waitlist_position_improved", email_enabled=True)
    ahead = [WishFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, points=50) for _ in range(4)]

    def told():
        digests.announce_position_improvements()
        return OutboxMessage.objects.filter(kind="waitlist_position_improved", recipient=parent).count()

    assert told() == 0  # first look: place 5 is only remembered
    my_wish.refresh_from_db()
    assert my_wish.announced_position == 5
    Wish.objects.filter(pk__in=[w.pk for w in ahead[:2]]).update(status="withdrawn")
    assert told() == 0  # 5 -> 3 is below the step of 3
    Wish.objects.filter(pk=ahead[2].pk).update(status="withdrawn")
    assert told() == 1  # 5 -> 2
    assert told() == 1  # nothing new to tell
    message = OutboxMessage.objects.get(kind="waitlist_position_improved")
    assert message.recipient == parent


def test_the_position_news_is_off_by_default(parent, facility, my_wish):
    ahead = [WishFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, points=50) for _ in range(4)]
    digests.announce_position_improvements()
    Wish.objects.filter(pk__in=[w.pk for w in ahead]).update(status="withdrawn")
    digests.announce_position_improvements()
    assert not OutboxMessage.objects.filter(kind="waitlist_position_improved").exists()
