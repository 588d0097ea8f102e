"""Waitlist order and positions: a family's few places are counted, the town's are ranked; both agree."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from childcare.admissions import waitlist
from childcare.models import AgeBand, Application, ApplicationStatus, Wish, WishStatus
from tests.factories import ApplicationFactory, FacilityFactory, WishFactory

pytestmark = pytest.mark.django_db

NOON = timezone.make_aware(datetime.datetime(2026, 3, 1, 12, 0))

# Few distinct values, so that points, submission times and lottery numbers tie often.
entries = st.tuples(
    st.sampled_from([0, 10, 20]),  # points
    st.integers(0, 2).map(lambda minutes: NOON + datetime.timedelta(minutes=minutes)),  # submitted
    st.integers(1, 3),  # lottery number
    st.sampled_from([AgeBand.UNDER_THREE, AgeBand.THREE_TO_SCHOOL]),
    st.sampled_from([WishStatus.ACTIVE, WishStatus.OFFERED, WishStatus.DECLINED]),
    st.sampled_from([ApplicationStatus.WAITING, ApplicationStatus.OFFERED, ApplicationStatus.WITHDRAWN]),
    st.integers(0, 1),  # which facility
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(entries, min_size=1, max_size=12))
def test_counted_positions_agree_with_the_ranked_lists(rows):
    facilities = [FacilityFactory(), FacilityFactory()]
    for points, submitted, lottery, band, status, application_status, which in rows:
        WishFactory(
            application=ApplicationFactory(
                submitted_at=submitted, lottery_number=lottery, status=application_status
            ),
            facility=facilities[which],
            points=points,
            age_band=band,
            status=status,
        )
    wishes = list(Wish.objects.select_related("application"))

    counted = waitlist.positions(wishes)  # few wishes: counted
    ranked = waitlist.positions(wishes * (waitlist.COUNTED_POSITIONS + 1))  # many: ranked in one pass

    assert counted == ranked
    listed = {pk for pk in Wish.objects.filter(waitlist.ON_WAITLIST).values_list("pk", flat=True)}
    assert set(counted) == listed
    assert listed == set(Wish.objects.filter(waitlist.LISTED_BY_STATUS).values_list("pk", flat=True))
    for facility in facilities:
        for band in (AgeBand.UNDER_THREE, AgeBand.THREE_TO_SCHOOL):
            order = list(
                waitlist.waitlist(facility_id=facility.pk, age_band=band).values_list("pk", flat=True)
            )
            assert [counted[pk] for pk in order] == [
                (place, len(order)) for place in range(1, len(order) + 1)
            ]
    Application.objects.all().delete()


def test_a_familys_positions_take_one_query_and_none_without_a_listed_wish(django_assert_num_queries):
    facility = FacilityFactory()
    ahead = WishFactory(facility=facility, points=30)
    mine = WishFactory(facility=facility, points=20)
    withdrawn = WishFactory(facility=facility, points=10, application__status=ApplicationStatus.WITHDRAWN)
    wishes = list(Wish.objects.filter(pk__in=[mine.pk, withdrawn.pk]).select_related("application"))

    with django_assert_num_queries(1):
        assert waitlist.positions(wishes) == {mine.pk: (2, 2)}
    with django_assert_num_queries(0):
        assert waitlist.positions([w for w in wishes if w.pk == withdrawn.pk]) == {}
    assert ahead.pk not in waitlist.positions(wishes)
