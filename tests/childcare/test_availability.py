import datetime

import pytest
from django.contrib import admin
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from childcare.actors import SYSTEM
from childcare.admin import CapacityAdmin
from childcare.admissions.transitions import offer as offer_transitions
from childcare.admissions.transitions import placement as placement_transitions
from childcare.admissions.transitions.offer_bulk import Match, open_offers_in_bulk
from childcare.errors import DomainError
from childcare.facilities import capacity
from childcare.facilities.availability import (
    rebuild_availability,
    refresh_availability,
    stretch_on,
    stretches,
)
from childcare.facilities.imports import import_facilities
from childcare.facilities.search import add_months
from childcare.models import (
    AgeBand,
    AllocationRound,
    Capacity,
    Offer,
    OfferStatus,
    ProgramAvailability,
    Wish,
)
from childcare.tasks import rebuild_availability as nightly_rebuild
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    ChildFactory,
    FacilityFactory,
    PlacementFactory,
    WishFactory,
)

D = datetime.date
BANDS = (AgeBand.UNDER_THREE, AgeBand.THREE_TO_SCHOOL)


def stored() -> list[tuple]:
    return sorted(
        ProgramAvailability.objects.values_list(
            "facility_id", "age_band", "valid_from", "valid_until", "places", "taken", "lowest_free"
        )
    )


def assert_matches_a_full_rebuild_and_the_exact_count():
    """The maintained rows equal a rebuild, and answer like ``capacity`` on every day that matters."""
    maintained = stored()
    rebuild_availability()
    assert maintained == stored()
    today = timezone.localdate()
    programs = list(Capacity.objects.values_list("facility_id", "age_band", "places"))
    taken = capacity.occupancies_by_band(facility_ids={f for f, _b, _p in programs}, from_date=today)
    rows = stretches(facility_ids={f for f, _b, _p in programs})
    for facility_id, band, places in programs:
        held = taken[facility_id, band]
        days = {today, *(add_months(today, months) for months in range(0, 40, 3))}
        days |= {o.start for o in held} | {o.end for o in held if o.end}
        days |= {o.start - datetime.timedelta(days=1) for o in held}
        for day in sorted(d for d in days if d >= today):
            stretch = stretch_on(rows[facility_id, band], day)
            assert stretch is not None, (facility_id, band, day)
            assert stretch.places - stretch.taken == capacity.free_places_on(places, held, day)
            assert stretch.lowest_free == capacity.lowest_free_places_from(places, held, day)


@pytest.fixture
def town(db):
    """Two facilities with two age bands each, and waiting families with a wish for every program."""
    today = timezone.localdate()
    facilities = [FacilityFactory() for _ in range(2)]
    for facility in facilities:
        for band in BANDS:
            CapacityFactory(facility=facility, age_band=band, places=2)
    # Places taken today, one ending next summer, so stretches begin and end in the future too.
    PlacementFactory(facility=facilities[0], age_band=AgeBand.UNDER_THREE, start_date=D(2024, 8, 1))
    PlacementFactory(
        facility=facilities[1],
        age_band=AgeBand.THREE_TO_SCHOOL,
        start_date=D(2024, 8, 1),
        end_date=add_months(today, 7),
    )
    wishes = []
    for number in range(8):
        application = ApplicationFactory(
            child=ChildFactory(birth_date=today - datetime.timedelta(days=400 + 300 * (number % 2)))
        )
        for rank, facility in enumerate(facilities, start=1):
            band = BANDS[(number + rank) % 2]
            wishes.append(WishFactory(application=application, facility=facility, age_band=band, rank=rank))
    return wishes


STEP = st.tuples(
    st.sampled_from(
        ["open", "record", "bulk", "accept", "decline", "expire", "withdraw", "give_up", "places"]
    ),
    st.integers(min_value=0, max_value=15),
    st.integers(min_value=0, max_value=500),
)


def run(step, wishes):
    kind, number, days = step
    today = timezone.localdate()
    start = today + datetime.timedelta(days=days)
    wish = Wish.objects.select_related("application__child", "facility").get(pk=wishes[number].pk)
    open_offers = list(Offer.objects.filter(status=OfferStatus.OPEN).order_by("pk"))
    offer = open_offers[number % len(open_offers)] if open_offers else None
    if kind == "open":
        offer_transitions.open_offer(
            wish=wish, by=SYSTEM, start_date=start, expires_at=timezone.now() + datetime.timedelta(days=14)
        )
    elif kind == "record":
        placement_transitions.record(wish=wish, by=SYSTEM, start_date=start)
    elif kind == "bulk":
        picked = [w for w in wishes[number % 4 :: 4]]
        open_offers_in_bulk(
            matches=[Match(application_id=w.application_id, wish_id=w.pk) for w in picked],
            expires_at=timezone.now() + datetime.timedelta(days=14),
            by=SYSTEM,
            round=AllocationRound(target_start_date=start),
        )
    elif kind == "places":
        row = Capacity.objects.get(facility=wish.facility, age_band=wish.age_band)
        row.places = days % 4
        CapacityAdmin(Capacity, admin.site).save_model(None, row, None, True)
    elif offer is not None:
        offer = Offer.objects.select_related("wish__facility", "application__child").get(pk=offer.pk)
        if kind == "accept":
            offer_transitions.accept(offer=offer, by=SYSTEM)
        elif kind == "expire":
            offer_transitions.expire(offer=offer)
        elif kind == "give_up":
            offer_transitions.give_up(offer=offer, by=SYSTEM)
        else:
            getattr(offer_transitions, kind)(offer=offer, by=SYSTEM)


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_after_any_sequence_of_transitions_the_rows_equal_a_full_recomputation(town, steps):
    with transaction.atomic():
        for step in steps:
            try:
                with transaction.atomic():
                    run(step, town)
            except DomainError:
                pass  # a step the state machine refuses writes nothing
        assert_matches_a_full_rebuild_and_the_exact_count()
        transaction.set_rollback(True)


def test_a_program_without_places_taken_has_one_open_ended_stretch_from_today(db):
    row = CapacityFactory(places=3)
    assert stored() == [(row.facility_id, row.age_band, timezone.localdate(), None, 3, 0, 3)]


def test_places_taken_later_lower_the_free_places_from_every_earlier_day(db):
    today = timezone.localdate()
    row = CapacityFactory(places=1, age_band=AgeBand.THREE_TO_SCHOOL)
    later = add_months(today, 5)
    PlacementFactory(facility=row.facility, age_band=row.age_band, start_date=later)
    rows = stretches(facility_ids=[row.facility_id])[row.facility_id, row.age_band]
    assert [(s.valid_from, s.valid_until, s.taken, s.lowest_free) for s in rows] == [
        (today, later, 0, 0),
        (later, None, 1, 0),
    ]


def test_refresh_refuses_to_run_outside_the_transaction_of_the_change(transactional_db):
    row = CapacityFactory()
    with pytest.raises(RuntimeError):
        refresh_availability(programs=[(row.facility_id, row.age_band)])


def test_refresh_rewrites_only_the_programs_it_is_given(db):
    first, second = CapacityFactory(places=3), CapacityFactory(places=5)
    Capacity.objects.filter(pk__in=[first.pk, second.pk]).update(places=9)
    with transaction.atomic():
        refresh_availability(programs=[(first.facility_id, first.age_band)])
    places = dict(ProgramAvailability.objects.values_list("facility_id", "places"))
    assert places == {first.facility_id: 9, second.facility_id: 5}


def test_the_facility_import_refreshes_the_programs_whose_places_change(db):
    text = (
        "external_id,name,type,provider_external_id,provider_name,provider_kind,street,postcode,city,"
        "district,latitude,longitude,opens_at,closes_at,max_care_hours,places_u3,places_ue3,places_school\n"
        "K1,Kita Eins,kita,P1,Träger Eins,municipal,Weg 1,63000,Musterstadt,Mitte,50.05,8.69,07:00,17:00,45,"
        "10,20,\n"
    )
    report = import_facilities(text=text, dry_run=False)
    assert not report.errors, report.errors
    places = dict(ProgramAvailability.objects.values_list("age_band", "places"))
    assert places == {AgeBand.UNDER_THREE: 10, AgeBand.THREE_TO_SCHOOL: 20}


def test_the_nightly_task_rebuilds_from_the_new_day(db, time_machine):
    CapacityFactory(places=2)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=3))
    assert nightly_rebuild() == 1
    assert stored()[0][2] == timezone.localdate()
