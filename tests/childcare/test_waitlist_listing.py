"""The waitlist page's one statement: the same list, order, counts and filters as the ORM's rule."""

import datetime
import json

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from childcare.admissions import waitlist
from childcare.backoffice import waitlist_listing as listing
from childcare.models import (
    LISTED_APPLICATION_STATUSES,
    LISTED_WISH_STATUSES,
    AgeBand,
    Application,
    ApplicationStatus,
    Offer,
    OfferStatus,
    Wish,
    WishStatus,
)
from tests.factories import ApplicationFactory, FacilityFactory, OfferFactory, WishFactory

pytestmark = pytest.mark.django_db

NOON = timezone.make_aware(datetime.datetime(2026, 3, 1, 12, 0))
AUGUST = datetime.date(2027, 8, 1)

# Few distinct values, so that points, submission times and lottery numbers tie often.
entries = st.tuples(
    st.sampled_from([0, 10, 20]),  # points
    st.integers(0, 2).map(lambda minutes: NOON + datetime.timedelta(minutes=minutes)),  # submitted
    st.integers(1, 3),  # lottery number
    st.sampled_from([WishStatus.ACTIVE, WishStatus.OFFERED, WishStatus.DECLINED]),
    st.sampled_from([ApplicationStatus.WAITING, ApplicationStatus.OFFERED, ApplicationStatus.WITHDRAWN]),
    st.sampled_from([None, AUGUST, AUGUST + datetime.timedelta(days=45)]),  # desired start
    st.sampled_from([AgeBand.THREE_TO_SCHOOL, AgeBand.UNDER_THREE]),
)
filters = st.tuples(
    st.sampled_from([None, WishStatus.ACTIVE, WishStatus.OFFERED]), st.sampled_from([None, AUGUST])
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(entries, min_size=0, max_size=12), chosen=filters, number=st.integers(1, 3))
def test_a_page_agrees_with_the_ranked_list_and_the_filters_condition(rows, chosen, number):
    facility = FacilityFactory()
    for points, submitted, lottery, status, application_status, desired, band in rows:
        wish = WishFactory(
            application=ApplicationFactory(
                submitted_at=submitted,
                lottery_number=lottery,
                status=application_status,
                desired_start_date=desired,
            ),
            facility=facility,
            points=points,
            age_band=band,
            status=status,
            points_explanation={"residence": points},
        )
        if status == WishStatus.OFFERED:
            OfferFactory(wish=wish, status=OfferStatus.OPEN)
    state, month = chosen
    per_page = 3

    page = listing.read_page(
        facility_id=facility.pk,
        age_band=AgeBand.THREE_TO_SCHOOL,
        state=state,
        start_month=month,
        number=number,
        per_page=per_page,
    )

    # The list from the statuses and the applications themselves, not from the wishes' kept keys.
    ranked = sorted(
        (
            wish
            for wish in Wish.objects.filter(
                facility=facility, age_band=AgeBand.THREE_TO_SCHOOL
            ).select_related("application__child")
            if wish.status in LISTED_WISH_STATUSES and wish.application.status in LISTED_APPLICATION_STATUSES
        ),
        key=lambda w: (-w.points, w.application.submitted_at, w.application.lottery_number, w.pk),
    )
    assert ranked == list(waitlist.waitlist(facility_id=facility.pk, age_band=AgeBand.THREE_TO_SCHOOL))
    position = {wish.pk: place for place, wish in enumerate(ranked, start=1)}
    meeting = set(
        Wish.objects.filter(listing.matching(state=state, start_month=month)).values_list("pk", flat=True)
    )
    found = [wish for wish in ranked if wish.pk in meeting]
    expected = found[(number - 1) * per_page : number * per_page]
    starts = [wish.application.desired_start_date for wish in ranked if wish.status == WishStatus.ACTIVE]
    assert page.total == len(ranked)
    assert page.matching == len(found)
    assert page.top_start == min(filter(None, starts[: listing.TOP_WAITING]), default=None)
    assert [(c.pk, c.position) for c in page.candidates] == [(w.pk, position[w.pk]) for w in expected]
    for candidate, wish in zip(page.candidates, expected, strict=True):
        assert candidate.status == wish.status
        assert candidate.reference == wish.application.reference
        assert candidate.first_name == wish.application.child.first_name
        assert candidate.desired_start == wish.application.desired_start_date
        assert candidate.submitted == timezone.localdate(wish.application.submitted_at)
        assert json.loads(candidate.points_explanation_json) == {"residence": wish.points}
        offer = Offer.objects.filter(wish=wish, status=OfferStatus.OPEN).first()
        assert candidate.offer_public_id == (offer.public_id if offer else None)
    Application.objects.all().delete()


def first_page(facility) -> listing.ListPage:
    """The first 50 of the facility's whole 3-to-school list, unfiltered."""
    return listing.read_page(
        facility_id=facility.pk,
        age_band=AgeBand.THREE_TO_SCHOOL,
        state=None,
        start_month=None,
        number=1,
        per_page=50,
    )


def test_the_top_start_is_the_earliest_desired_start_of_the_first_three_families_still_waiting():
    facility = FacilityFactory()
    starts = {
        90: datetime.date(2027, 1, 1),  # holds an offer: not waiting
        80: datetime.date(2027, 5, 1),
        70: datetime.date(2027, 4, 1),
        60: datetime.date(2027, 3, 1),  # the third family still waiting
        50: datetime.date(2027, 2, 1),  # the fourth: not at the top
    }
    for points, desired in starts.items():
        WishFactory(facility=facility, points=points, application__desired_start_date=desired)
    OfferFactory(wish=Wish.objects.get(facility=facility, points=90), status=OfferStatus.OPEN)

    page = first_page(facility)

    assert page.top_start == datetime.date(2027, 3, 1)
    assert [c.position for c in page.candidates] == [1, 2, 3, 4, 5]


def test_the_day_of_submission_is_the_portal_s_local_day():
    """23:30 UTC on New Year's Eve is already New Year's Day in Germany."""
    facility = FacilityFactory()
    late = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    WishFactory(facility=facility, application=ApplicationFactory(submitted_at=late))

    page = first_page(facility)

    assert [candidate.submitted for candidate in page.candidates] == [datetime.date(2027, 1, 1)]
