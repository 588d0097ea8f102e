import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from childcare.admissions.offers import default_deadline
from childcare.allocation import publishing, rounds
from childcare.errors import DomainError
from childcare.facilities import capacity
from childcare.models import (
    AgeBand,
    AllocationRound,
    ApplicationStatus,
    BackgroundJob,
    Capacity,
    Offer,
    OfferStatus,
)
from notifications.models import OutboxMessage
from portal.models import PortalSettings
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    FacilityFactory,
    GuardianshipFactory,
    PlacementFactory,
    UserFactory,
    WishFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_english")]
TARGET = timezone.localdate() + datetime.timedelta(days=120)


@pytest.fixture
def town():
    facilities = [FacilityFactory() for _ in range(3)]
    for facility, places in zip(facilities, (1, 2, 1), strict=True):
        CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=places)
    return facilities


def publish(round_, by) -> BackgroundJob:
    """Start publishing; the task runs (eagerly) when the starting transaction commits."""
    job = publishing.start_publishing(round=round_, by=by, expires_at=default_deadline())
    job.refresh_from_db()
    return job


def applicant(facilities, points):
    application = ApplicationFactory(desired_start_date=TARGET)
    GuardianshipFactory(user=UserFactory(), child=application.child)
    for rank, facility in enumerate(facilities, start=1):
        WishFactory(
            application=application,
            facility=facility,
            rank=rank,
            age_band=AgeBand.THREE_TO_SCHOOL,
            points=points,
        )
    return application


def test_round_preview_is_stable_and_publishing_makes_one_offer_per_matched_child(town, municipal_office):
    a, b, c = town
    families = [
        applicant([a, b], 90),
        applicant([a, c], 80),
        applicant([a], 70),
        applicant([c, b], 60),
        applicant([b], 50),
    ]
    round_ = rounds.create_round(target_start_date=TARGET, by=municipal_office)
    round_ = rounds.compute_round(round=round_, by=municipal_office)
    stats = round_.statistics
    assert (stats["applicants"], stats["matched"], stats["seats"]) == (5, 4, 4)
    assert stats["blocking_pairs"] == 0
    assert sum(program.filled for program in round_.programs.all()) == 4
    assert all(program.filled <= program.seats for program in round_.programs.all())
    by_application = {row.application_id: row for row in round_.applicants.all()}
    assert by_application[families[0].pk].rank_reached == 1  # top priority gets the first wish
    assert by_application[families[2].pk].program is None  # only wished the full favourite
    assert by_application[families[2].pk].best_position == 3
    assert by_application[families[2].pk].best_program.facility == a

    job = publish(round_, municipal_office)
    assert job.status == BackgroundJob.Status.DONE
    assert job.outcome["offers"] == 4
    open_offers = Offer.objects.filter(status=OfferStatus.OPEN)
    assert open_offers.count() == 4
    assert len({offer.application_id for offer in open_offers}) == 4
    assert len({offer.expires_at for offer in open_offers}) == 1
    for row in Capacity.objects.all():
        assert open_offers.filter(wish__facility=row.facility).count() <= row.places
    assert OutboxMessage.objects.filter(kind="allocation_result").count() == 5
    assert not OutboxMessage.objects.filter(kind="offer_made").exists()
    round_.refresh_from_db()
    assert round_.status == AllocationRound.Status.PUBLISHED
    assert round_.published_by == municipal_office
    with pytest.raises(DomainError, match="already been published"):
        publish(round_, municipal_office)
    assert Offer.objects.count() == 4


def test_a_match_whose_place_was_taken_since_the_preview_is_reported_instead_of_published(
    town, municipal_office
):
    a, b, _ = town
    lost = applicant([a], 90)
    kept = applicant([b], 80)
    round_ = rounds.compute_round(
        round=rounds.create_round(target_start_date=TARGET, by=municipal_office), by=municipal_office
    )
    PlacementFactory(
        facility=a, age_band=AgeBand.THREE_TO_SCHOOL, start_date=TARGET - datetime.timedelta(days=1)
    )
    job = publish(round_, municipal_office)
    assert list(Offer.objects.values_list("application", flat=True)) == [kept.pk]
    assert job.outcome["refused_count"] == 1
    assert job.outcome["refused"] == [{"reference": lost.reference, "reason": "no_place"}]
    assert OutboxMessage.objects.filter(kind="allocation_result").count() == 1
    round_.refresh_from_db()
    assert round_.status == AllocationRound.Status.PUBLISHED
    with pytest.raises(DomainError, match="can no longer be recomputed"):
        rounds.compute_round(round=round_, by=municipal_office)


def test_only_the_municipal_office_runs_rounds(town, staff, parent):
    for user in (staff, parent):
        with pytest.raises(DomainError, match="Only the municipal office"):
            rounds.create_round(target_start_date=TARGET, by=user)
    assert not AllocationRound.objects.exists()


def test_a_round_over_the_musterstadt_demo(municipal_office, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    portal = PortalSettings.load()
    today = timezone.localdate()
    start = datetime.date(today.year, portal.year_start_month, portal.year_start_day)
    target = start if start > today else start.replace(year=today.year + 1)
    target = (
        target.replace(year=target.year + 1)
        if not ApplicationFactory._meta.model.objects.filter(
            status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.WAITING),
            desired_start_date__lte=target,
        ).exists()
        else target
    )
    open_before = Offer.objects.filter(status=OfferStatus.OPEN).count()
    round_ = rounds.compute_round(
        round=rounds.create_round(target_start_date=target, by=municipal_office), by=municipal_office
    )
    assert round_.statistics["applicants"] >= 1
    assert round_.statistics["blocking_pairs"] == 0
    made = publish(round_, municipal_office).outcome["offers"]
    assert made == round_.statistics["matched"] >= 1
    assert Offer.objects.filter(status=OfferStatus.OPEN).count() == open_before + made
    assert OutboxMessage.objects.filter(kind="allocation_result").count() >= round_.statistics["applicants"]
    # Children leave on 1 August and others start that day: places are counted per day, not in total.
    taken = capacity.occupancies_by_band(
        facility_ids=Capacity.objects.values_list("facility_id", flat=True), from_date=today
    )
    for row in Capacity.objects.all():
        held = taken[row.facility_id, row.age_band]
        for day in {today} | {occupancy.start for occupancy in held}:
            assert capacity.free_places_on(row.places, held, day) >= 0, (row.facility_id, row.age_band, day)
