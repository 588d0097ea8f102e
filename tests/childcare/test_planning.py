import datetime
from collections import defaultdict

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from childcare import tasks
from childcare.age import age_band_on, has_legal_entitlement
from childcare.allocation import planning
from childcare.models import LISTED_APPLICATION_STATUSES, AgeBand, ApplicationStatus, PlacementStatus
from portal.models import PortalSettings
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    FacilityFactory,
    OfferFactory,
    PlacementFactory,
    WishFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_figures_from_an_earlier_test():
    """The page shares its figures through the cache, which outlives a test's database."""
    cache.clear()


TODAY = datetime.date(2026, 3, 15)
U3, UE3 = AgeBand.UNDER_THREE, AgeBand.THREE_TO_SCHOOL


def free(area, band):
    """The free places of one age band, month by month, as {"2026-03": n}."""
    months = next(b for b in area.bands if b.age_band == band).months
    return {month.month.strftime("%Y-%m"): month.free for month in months}


def area(areas, name):
    return next(a for a in areas if a.name == name)


@pytest.fixture
def town():
    """Two districts; Nord has a busy Kita and a small one, Süd a Krippe and a closed facility."""
    busy = FacilityFactory(name="Kita Nord", district="Nord")
    CapacityFactory(facility=busy, age_band=UE3, places=3)
    CapacityFactory(facility=busy, age_band=U3, places=2)
    # Leaves on a fixed day, recorded by hand.
    PlacementFactory(facility=busy, start_date=datetime.date(2025, 8, 1), end_date=datetime.date(2026, 8, 1))
    # Open-ended, but turns 6 before the cut-off: leaves for school on 1 August 2026.
    PlacementFactory(
        facility=busy, child__birth_date=datetime.date(2020, 5, 10), start_date=datetime.date(2024, 8, 1)
    )
    # Open-ended, school entry in 2028.
    PlacementFactory(
        facility=busy, child__birth_date=datetime.date(2021, 9, 1), start_date=datetime.date(2025, 8, 1)
    )
    # A cancelled placement holds nothing.
    PlacementFactory(facility=busy, status=PlacementStatus.CANCELLED, start_date=datetime.date(2025, 8, 1))
    # An open offer holds a place from its start date.
    OfferFactory(
        wish__facility=busy,
        wish__age_band=UE3,
        wish__application__child__birth_date=datetime.date(2022, 1, 1),
        start_date=datetime.date(2026, 6, 1),
    )
    PlacementFactory(facility=busy, age_band=U3, start_date=datetime.date(2026, 4, 1))

    small = FacilityFactory(name="Kita Klein", district="Nord")
    CapacityFactory(facility=small, age_band=UE3, places=1)

    krippe = FacilityFactory(name="Krippe Süd", district="Süd")
    CapacityFactory(facility=krippe, age_band=U3, places=1)
    PlacementFactory(
        facility=krippe, age_band=U3, start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2026, 3, 1)
    )

    closed = FacilityFactory(name="Alte Kita", district="Süd", is_active=False)
    CapacityFactory(facility=closed, age_band=U3, places=10)
    return {"busy": busy, "small": small, "krippe": krippe}


# --- free places per month ---


def test_free_places_follow_placements_school_entry_and_open_offers(town):
    plan = planning.free_places_by_month(portal=PortalSettings.load(), today=TODAY)

    assert [month.isoformat() for month in plan.months[:2]] == ["2026-03-01", "2026-04-01"]
    assert len(plan.months) == 12
    busy = free(area(plan.facilities, "Kita Nord"), UE3)
    # Three children until the summer, the offer overbooks June and July, two leave on 1 August.
    assert [busy[m] for m in ("2026-03", "2026-05", "2026-06", "2026-07", "2026-08", "2027-02")] == [
        0,
        0,
        -1,
        -1,
        1,
        1,
    ]
    busy_u3 = free(area(plan.facilities, "Kita Nord"), U3)
    assert (busy_u3["2026-03"], busy_u3["2026-04"], busy_u3["2027-02"]) == (2, 1, 1)
    # A placement that ended before today holds nothing.
    assert set(free(area(plan.facilities, "Krippe Süd"), U3).values()) == {1}


def test_districts_and_the_town_add_up_their_facilities(town):
    plan = planning.free_places_by_month(portal=PortalSettings.load(), today=TODAY)

    assert [district.name for district in plan.districts] == ["Nord", "Süd"]
    nord = area(plan.districts, "Nord")
    assert [band.age_band for band in nord.bands] == [U3, UE3]
    assert (free(nord, UE3)["2026-03"], free(nord, UE3)["2026-06"], free(nord, UE3)["2026-08"]) == (1, 0, 2)
    assert plan.town.name == PortalSettings.load().municipality_name
    town_u3 = free(plan.town, U3)
    # The closed facility's ten places are not planned with.
    assert (town_u3["2026-03"], town_u3["2026-04"]) == (3, 2)
    assert next(b for b in plan.town.bands if b.age_band == UE3).months[0].places == 4


# --- unmet demand ---


def applying(*, born, start, facility, status=ApplicationStatus.WAITING, band=U3):
    application = ApplicationFactory(child__birth_date=born, desired_start_date=start, status=status)
    WishFactory(application=application, facility=facility, age_band=band)
    return application


def test_unmet_demand_counts_entitled_children_without_a_place_by_district_of_the_first_wish(town):
    nord, sued = town["busy"], town["krippe"]
    applying(born=datetime.date(2024, 1, 10), start=datetime.date(2026, 2, 1), facility=nord)  # overdue
    applying(born=datetime.date(2025, 6, 1), start=datetime.date(2026, 7, 1), facility=sued)  # 1 at start
    offered = applying(
        born=datetime.date(2022, 1, 1),
        start=datetime.date(2026, 6, 1),
        facility=sued,
        status=ApplicationStatus.OFFERED,
    )
    offered.wishes.update(rank=2)
    WishFactory(application=offered, facility=town["small"], rank=1)  # the first wish decides: Nord
    # Not counted: under 1 at the desired start, beyond 12 months, placed, a draft, a place already held.
    applying(born=datetime.date(2025, 6, 1), start=datetime.date(2026, 4, 1), facility=nord)
    applying(born=datetime.date(2024, 1, 1), start=datetime.date(2027, 3, 15), facility=nord)
    applying(
        born=datetime.date(2024, 1, 1),
        start=datetime.date(2026, 4, 1),
        facility=nord,
        status=ApplicationStatus.PLACED,
    )
    applying(
        born=datetime.date(2024, 1, 1),
        start=datetime.date(2026, 4, 1),
        facility=nord,
        status=ApplicationStatus.DRAFT,
    )
    held = applying(born=datetime.date(2024, 1, 1), start=datetime.date(2026, 4, 1), facility=nord)
    PlacementFactory(child=held.child, facility=sued, age_band=U3, start_date=datetime.date(2026, 1, 1))

    demand = planning.unmet_demand(portal=PortalSettings.load(), today=TODAY)

    assert [(row.district, row.age_band, row.applications, row.overdue) for row in demand.rows] == [
        ("Nord", U3, 1, 1),
        ("Nord", UE3, 1, 0),
        ("Süd", U3, 1, 0),
    ]
    assert (demand.applications, demand.overdue) == (3, 1)


# --- the page and the download ---


@pytest.mark.parametrize("name", ["planning_overview", "planning_unmet_csv"])
def test_outsiders_get_404_and_anonymous_users_sign_in_first(client, staff, parent, name):
    url = reverse(f"backoffice:{name}")
    assert client.get(url).status_code == 302
    for user in (staff, parent):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_the_municipal_office_sees_the_town_the_districts_and_the_demand(client, municipal_office, town):
    PlacementFactory.create_batch(4, facility=town["small"])  # Nord overbooked: 4 places, 6 children
    client.force_login(municipal_office)

    response = client.get(reverse("backoffice:planning_overview"))

    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Nord", "Süd", PortalSettings.load().municipality_name):
        assert f">{heading}</h2>" in page
    assert "<caption>" in page
    assert 'scope="row"' in page
    assert "table-danger" in page
    assert response.context["demand"].rows  # the family with the open offer has no place yet


def test_the_unmet_demand_csv_opens_in_german_excel(client, municipal_office):
    krippe = FacilityFactory(district="Süd")
    applying(born=datetime.date(2019, 1, 1), start=datetime.date(2020, 12, 1), facility=krippe)
    client.force_login(municipal_office)

    response = client.get(reverse("backoffice:planning_unmet_csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    district, _band, applications, overdue = body.splitlines()[1].split(";")
    assert (district, applications, overdue) == ("Süd", "1", "1")


def busy_facility(number):
    facility = FacilityFactory(district=f"Bezirk {number % 3}")
    CapacityFactory(facility=facility, age_band=UE3, places=5)
    CapacityFactory(facility=facility, age_band=U3, places=2)
    PlacementFactory(facility=facility, child__birth_date=datetime.date(2021, 1, 1))
    OfferFactory(
        wish__facility=facility, wish__age_band=UE3, wish__application__status=ApplicationStatus.OFFERED
    )
    applying(born=datetime.date(2024, 1, 1), start=datetime.date(2026, 1, 1), facility=facility)


def test_the_page_needs_the_same_queries_for_2_and_30_facilities(client, municipal_office):
    PortalSettings.load()
    client.force_login(municipal_office)
    url = reverse("backoffice:planning_overview")
    client.get(url)  # the first request after signing in notes the staff activity time in the session

    fresh, shared = [], []
    for first, last in ((0, 2), (2, 30)):
        for number in range(first, last):
            busy_facility(number)
        cache.clear()
        for counts in (fresh, shared):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))

    # The session with its user (and the inbox count), portal settings; the layout's settings.
    # Computing the figures adds facilities, capacities, per-month counts of placements and of open
    # offers (free places) and the demand aggregate; the next request within OVERVIEW_MAX_AGE reads
    # them from the cache.
    assert fresh == [8, 8]
    assert shared == [3, 3]


def test_the_figures_are_shared_for_a_while_and_computed_again_for_another_day(town):
    portal = PortalSettings.load()
    first = planning.planning_overview(portal=portal, today=TODAY)
    assert first.plan.facilities == []  # the page shows the town and its districts only
    applying(born=datetime.date(2024, 1, 10), start=datetime.date(2026, 5, 1), facility=town["busy"])

    assert planning.planning_overview(portal=portal, today=TODAY) == first
    tomorrow = planning.planning_overview(portal=portal, today=TODAY + datetime.timedelta(days=1))
    assert (first.demand.applications, tomorrow.demand.applications) == (0, 1)
    assert tomorrow.plan.districts == first.plan.districts


@pytest.mark.parametrize(
    "calendar",
    [
        {"entry": (8, 1), "cutoff": (6, 30)},
        {"entry": (9, 1), "cutoff": (9, 30)},
        {"entry": (8, 1), "cutoff": (2, 29)},
    ],
)
def test_born_after_for_school_on_is_the_inverse_of_the_school_entry(calendar):
    D = datetime.date
    """The SQL month counts rely on it: school entry after a day <=> born after the returned date."""
    from childcare.age import school_entry_date

    for day in [D(2026, 1, 1), D(2026, 7, 31), D(2026, 8, 1), D(2026, 9, 1), D(2027, 12, 31)]:
        threshold = planning.born_after_for_school_on(day, **calendar)
        birth = D(2017, 1, 1)
        while birth < D(2024, 12, 31):
            assert (school_entry_date(birth, **calendar) > day) == (birth > threshold), (day, birth)
            birth += datetime.timedelta(days=1)


# --- the database's arithmetic against childcare.age, on generated towns ---

CALENDARS = [
    {"entry": (8, 1), "cutoff": (6, 30)},
    {"entry": (9, 1), "cutoff": (9, 30)},
    {"entry": (8, 1), "cutoff": (2, 29)},
]
# Birth dates around leap days, cut-offs and school entry days, where an off-by-one would show.
EDGE_BIRTHS = [
    datetime.date(2020, 2, 29),
    datetime.date(2024, 2, 29),
    datetime.date(2020, 6, 30),
    datetime.date(2020, 7, 1),
    datetime.date(2020, 9, 30),
    datetime.date(2020, 10, 1),
    datetime.date(2021, 3, 1),
    datetime.date(2023, 12, 31),
    datetime.date(2025, 3, 15),
]


def on_birthday(birth: datetime.date, years: int, shift: int) -> datetime.date:
    """The ``years``-th birthday (29 February: 28 February), moved by ``shift`` days."""
    try:
        day = birth.replace(year=birth.year + years)
    except ValueError:
        day = datetime.date(birth.year + years, 2, 28)
    return day + datetime.timedelta(days=shift)


births = st.one_of(
    st.sampled_from(EDGE_BIRTHS), st.dates(min_value=datetime.date(2018, 1, 1), max_value=TODAY)
)


@st.composite
def family(draw):
    """(birth date, desired start, status, first-wish district or None, placement (start, end) or None)."""
    birth = draw(births)
    start = draw(
        st.one_of(
            st.builds(on_birthday, st.just(birth), st.sampled_from([1, 3, 6, 7]), st.integers(-1, 1)),
            st.sampled_from(
                [datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), datetime.date(2026, 7, 31)]
            ),
            st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2027, 6, 1)),
        )
    )
    status = draw(
        st.sampled_from([ApplicationStatus.WAITING, ApplicationStatus.OFFERED, ApplicationStatus.DRAFT])
    )
    district = draw(st.sampled_from([None, "Nord", "Süd"]))
    placement = draw(
        st.one_of(
            st.none(),
            st.tuples(
                st.integers(-60, 60).map(lambda d: start + datetime.timedelta(days=d)),
                st.one_of(st.none(), st.integers(1, 200)),
            ),
        )
    )
    return birth, start, status, district, placement


def unmet_demand_in_python(*, portal, today, months=planning.PLANNING_MONTHS):
    """The rule read straight from its docstring, one application at a time."""
    from childcare.models import Application, Placement

    counts = defaultdict(lambda: [0, 0])
    for application in Application.objects.select_related("child"):
        start, birth = application.desired_start_date, application.child.birth_date
        if application.status not in LISTED_APPLICATION_STATUSES or start >= planning.add_months(
            today, months
        ):
            continue
        if not has_legal_entitlement(birth, start):
            continue
        placed = any(
            p.start_date <= start and (p.end_date is None or p.end_date > start)
            for p in Placement.objects.filter(child=application.child, status=PlacementStatus.ACTIVE)
        )
        if placed:
            continue
        first = application.wishes.order_by("rank").select_related("facility").first()
        count = counts[
            first.facility.district if first else "", age_band_on(birth, start, **portal.school_calendar)
        ]
        count[0] += 1
        count[1] += start < today
    return sorted((district, band, n, overdue) for (district, band), (n, overdue) in counts.items())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(families=st.lists(family(), min_size=1, max_size=8), calendar=st.sampled_from(CALENDARS))
def test_unmet_demand_in_sql_matches_the_rule_applied_one_application_at_a_time(families, calendar):
    from childcare.models import Application, Child

    facilities = {name: FacilityFactory(district=name) for name in ("Nord", "Süd")}
    for birth, start, status, district, placement in families:
        application = ApplicationFactory(child__birth_date=birth, desired_start_date=start, status=status)
        if district:
            WishFactory(application=application, facility=facilities[district], rank=2)
        if placement:
            begin, days = placement
            end = begin + datetime.timedelta(days=days) if days else None
            PlacementFactory(
                child=application.child, facility=facilities["Nord"], start_date=begin, end_date=end
            )
    portal = PortalSettings.load()
    (
        (portal.school_entry_month, portal.school_entry_day),
        (portal.school_cutoff_month, portal.school_cutoff_day),
    ) = (
        calendar["entry"],
        calendar["cutoff"],
    )

    demand = planning.unmet_demand(portal=portal, today=TODAY)

    found = sorted((row.district, row.age_band, row.applications, row.overdue) for row in demand.rows)
    assert found == unmet_demand_in_python(portal=portal, today=TODAY)
    Application.objects.all().delete()
    Child.objects.all().delete()


def test_the_beat_task_renews_the_shared_figures_so_the_page_reads_the_new_ones(town):
    portal = PortalSettings.load()
    with time_machine.travel(datetime.datetime(2026, 3, 15, 11, tzinfo=datetime.UTC), tick=False):
        today = timezone.localdate()
        first = planning.planning_overview(portal=portal, today=today)
        applying(born=datetime.date(2024, 1, 10), start=datetime.date(2026, 5, 1), facility=town["busy"])
        tasks.refresh_planning_overview()

        renewed = planning.planning_overview(portal=portal, today=today)
    assert (first.demand.applications, renewed.demand.applications) == (0, 1)
