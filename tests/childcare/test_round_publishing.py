"""Publishing a round as a background job: bounded queries, batches, idempotency, refused matches."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from childcare import tasks
from childcare.admissions.offers import default_deadline
from childcare.allocation import publishing, rounds
from childcare.errors import DomainError
from childcare.models import (
    ActorKind,
    AgeBand,
    AllocationRound,
    ApplicationEvent,
    ApplicationStatus,
    BackgroundJob,
    EventKind,
    Offer,
    OfferStatus,
    Wish,
    WishStatus,
)
from notifications.models import OutboxMessage
from tests.factories import (
    ApplicationFactory,
    CapacityFactory,
    FacilityFactory,
    GuardianshipFactory,
    UserFactory,
    WishFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]
TARGET = timezone.localdate() + datetime.timedelta(days=120)


def families(count: int, *, unmatched: int = 0) -> list:
    """``count`` families that each get a place at one of two facilities, plus ``unmatched`` without one."""
    facilities = [FacilityFactory(), FacilityFactory()]
    for index, facility in enumerate(facilities):
        CapacityFactory(facility=facility, age_band=AgeBand.THREE_TO_SCHOOL, places=(count + 1 - index) // 2)
    full = FacilityFactory()  # no places at all
    applications = []
    for number in range(count + unmatched):
        application = ApplicationFactory(desired_start_date=TARGET)
        GuardianshipFactory(user=UserFactory(), child=application.child)
        WishFactory(
            application=application,
            facility=facilities[number % 2] if number < count else full,
            age_band=AgeBand.THREE_TO_SCHOOL,
            points=1000 - number,
        )
        applications.append(application)
    return applications


def computed(office) -> AllocationRound:
    return rounds.compute_round(round=rounds.create_round(target_start_date=TARGET, by=office), by=office)


def started(office) -> BackgroundJob:
    """A round computed and its publishing started; the test runs the task itself."""
    return publishing.start_publishing(round=computed(office), by=office, expires_at=default_deadline())


def run(job: BackgroundJob) -> BackgroundJob:
    tasks.publish_round(job.pk)
    job.refresh_from_db()
    return job


def publish_queries(office, count: int) -> int:
    job = started(office)
    assert job.total == count
    with CaptureQueriesContext(connection) as queries:
        run(job)
    assert job.outcome["offers"] == count
    return len(queries)


def test_publishing_needs_the_same_queries_for_10_and_50_offers(municipal_office):
    # 50, not more: SQLite splits an INSERT at 999 parameters (58 outbox rows), PostgreSQL does not.
    families(10)
    small = publish_queries(municipal_office, 10)
    Offer.objects.all().delete()
    OutboxMessage.objects.all().delete()
    ApplicationEvent.objects.all().delete()
    AllocationRound.objects.all().delete()
    families(50)
    large = publish_queries(municipal_office, 50)
    assert small == large
    # the job (read, running), the round, the portal settings; per batch: the cursor, the page of
    # the round's rows (with their programs' facilities), families, their guardians; [the lock
    # timeout,] the round's lock, the progress, the wishes' programs, capacities (look-up and lock),
    # applications, wishes, placements, open offers; offers, wish and application statuses (each
    # step checked against its table first), events, the facilities' names, unmatched families,
    # messages, the stored free places of the programs (on PostgreSQL their lock, then delete and
    # rewrite), the progress; then the cursor and an empty page, the round published, the outcome,
    # the job done; and the savepoints. A constant, whatever the number of offers.
    assert large <= 42


def test_publishing_writes_offers_events_and_one_message_per_guardian(municipal_office):
    matched = families(3, unmatched=1)
    second_guardian = UserFactory(language="en")
    GuardianshipFactory(user=second_guardian, child=matched[0].child)
    job = run(started(municipal_office))
    assert job.status == BackgroundJob.Status.DONE
    assert (job.done, job.total) == (4, 4)
    last = AllocationRound.objects.get().applicants.order_by("pk").last()
    assert job.outcome == {"cursor": last.pk, "offers": 3, "messages": 5, "refused_count": 0, "refused": []}
    offers = Offer.objects.filter(status=OfferStatus.OPEN)
    assert sorted(offers.values_list("application", flat=True)) == sorted(a.pk for a in matched[:3])
    assert {offer.created_by for offer in offers} == {municipal_office}
    assert set(Wish.objects.filter(application__in=matched[:3]).values_list("status", flat=True)) == {
        WishStatus.OFFERED
    }
    assert matched[0].__class__.objects.get(pk=matched[0].pk).status == ApplicationStatus.OFFERED
    assert matched[3].__class__.objects.get(pk=matched[3].pk).status == ApplicationStatus.SUBMITTED
    events = ApplicationEvent.objects.filter(kind=EventKind.OFFER_MADE)
    assert events.count() == 3
    assert {(e.actor, e.actor_kind, e.to_status) for e in events} == {
        (municipal_office, ActorKind.OFFICE, ApplicationStatus.OFFERED)
    }
    messages = OutboxMessage.objects.filter(kind="allocation_result")
    assert messages.count() == 5
    offer = offers.get(application=matched[0])
    to_second = messages.get(recipient=second_guardian)
    assert to_second.attachments == [{"kind": "offer_letter", "object_id": offer.pk}]
    # The button opens the offer that was made (rendered after it was written, not before)
    assert reverse("parents:offer_respond", args=[offer.public_id]) in to_second.body_text
    assert reverse("parents:offer_respond", args=[offer.public_id]) in to_second.body_html
    with translation.override("en"):
        deadline = date_format(timezone.localtime(offer.expires_at), "DATE_FORMAT")
    assert f"in the portal by 23:59 on {deadline}." in to_second.body_text  # names the deadline
    no_place = messages.get(recipient__guardianships__child=matched[3].child)
    assert no_place.attachments == []
    assert no_place.subject.endswith(f"{matched[3].reference}")  # "result for your application …"


def test_running_the_task_twice_publishes_everything_once(municipal_office):
    families(4)
    job = run(started(municipal_office))
    BackgroundJob.objects.filter(pk=job.pk).update(status=BackgroundJob.Status.RUNNING)  # a redelivery
    run(job)
    assert Offer.objects.count() == 4
    assert ApplicationEvent.objects.filter(kind=EventKind.OFFER_MADE).count() == 4
    assert OutboxMessage.objects.filter(kind="allocation_result").count() == 4


def test_a_crash_after_the_first_batch_resumes_without_publishing_anything_twice(
    municipal_office, monkeypatch
):
    families(12)
    monkeypatch.setattr(publishing, "BATCH_SIZE", 5)
    real = publishing.open_offers_in_bulk
    calls = []

    def crashing_in_the_second_batch(**kwargs):
        calls.append(len(kwargs["matches"]))
        if len(calls) == 2:
            raise RuntimeError("worker lost its database")
        return real(**kwargs)

    monkeypatch.setattr(publishing, "open_offers_in_bulk", crashing_in_the_second_batch)
    job = started(municipal_office)
    with pytest.raises(RuntimeError):
        run(job)
    job.refresh_from_db()
    assert (job.status, job.done) == (BackgroundJob.Status.FAILED, 5)
    assert "worker lost its database" in job.error
    assert Offer.objects.count() == 5
    assert OutboxMessage.objects.count() == 5
    round_ = AllocationRound.objects.get()
    assert round_.status == AllocationRound.Status.PUBLISHING
    with pytest.raises(DomainError, match="can no longer be recomputed"):
        rounds.compute_round(round=round_, by=municipal_office)

    monkeypatch.setattr(publishing, "open_offers_in_bulk", real)
    job = run(job)
    assert (job.status, job.done, job.outcome["offers"]) == (BackgroundJob.Status.DONE, 12, 12)
    assert Offer.objects.count() == 12
    assert Offer.objects.values("application").distinct().count() == 12
    assert OutboxMessage.objects.count() == 12
    assert OutboxMessage.objects.values("recipient").distinct().count() == 12
    assert ApplicationEvent.objects.filter(kind=EventKind.OFFER_MADE).count() == 12
    round_.refresh_from_db()
    assert round_.status == AllocationRound.Status.PUBLISHED


def test_a_wish_withdrawn_after_the_preview_is_skipped_and_reported(municipal_office):
    applications = families(5)
    job = started(municipal_office)
    withdrawn = applications[2]
    Wish.objects.filter(application=withdrawn).update(status=WishStatus.WITHDRAWN)
    job = run(job)
    assert job.status == BackgroundJob.Status.DONE
    assert job.outcome["offers"] == 4
    assert job.outcome["refused_count"] == 1
    assert job.outcome["refused"] == [{"reference": withdrawn.reference, "reason": "wish_gone"}]
    assert not Offer.objects.filter(application=withdrawn).exists()
    assert not OutboxMessage.objects.filter(recipient__guardianships__child=withdrawn.child).exists()
    assert Offer.objects.count() == 4
    assert AllocationRound.objects.get().status == AllocationRound.Status.PUBLISHED


def test_an_application_offered_a_place_by_staff_meanwhile_is_skipped(municipal_office):
    applications = families(2)
    job = started(municipal_office)
    ApplicationFactory._meta.model.objects.filter(pk=applications[0].pk).update(
        status=ApplicationStatus.WITHDRAWN
    )
    job = run(job)
    assert job.outcome["refused"] == [{"reference": applications[0].reference, "reason": "not_waiting"}]
    assert list(Offer.objects.values_list("application", flat=True)) == [applications[1].pk]


def test_publishing_twice_at_once_is_refused(municipal_office):
    families(2)
    job = started(municipal_office)
    with pytest.raises(DomainError, match="already being published"):
        publishing.start_publishing(
            round=job.allocation_round, by=municipal_office, expires_at=default_deadline()
        )
    assert BackgroundJob.objects.count() == 1


def test_publishing_needs_a_computed_round_a_future_deadline_and_the_office(municipal_office, staff):
    families(1)
    draft = rounds.create_round(target_start_date=TARGET, by=municipal_office)
    with pytest.raises(DomainError, match="Compute the round"):
        publishing.start_publishing(round=draft, by=municipal_office, expires_at=default_deadline())
    round_ = computed(municipal_office)
    with pytest.raises(DomainError, match="deadline must be in the future"):
        publishing.start_publishing(
            round=round_, by=municipal_office, expires_at=timezone.now() - datetime.timedelta(hours=1)
        )
    with pytest.raises(DomainError, match="Only the municipal office"):
        publishing.start_publishing(round=round_, by=staff, expires_at=default_deadline())
    assert not BackgroundJob.objects.exists()
    assert AllocationRound.objects.get(pk=round_.pk).status == AllocationRound.Status.COMPUTED


def test_compute_stores_nothing_when_publishing_started_while_it_was_computing(municipal_office, monkeypatch):
    families(2)
    round_ = computed(municipal_office)
    results = list(round_.applicants.values_list("pk", "application", "wish"))
    real_snapshot = rounds.snapshot

    def publish_meanwhile(target):
        inputs = real_snapshot(target)
        publishing.start_publishing(round=round_, by=municipal_office, expires_at=default_deadline())
        return inputs

    monkeypatch.setattr(rounds, "snapshot", publish_meanwhile)
    with pytest.raises(DomainError, match="can no longer be recomputed"):
        rounds.compute_round(round=round_, by=municipal_office)
    stored = AllocationRound.objects.get(pk=round_.pk)
    assert stored.status == AllocationRound.Status.PUBLISHING
    assert list(stored.applicants.values_list("pk", "application", "wish")) == results


def test_compute_locks_the_round_row(municipal_office):
    families(1)
    round_ = rounds.create_round(target_start_date=TARGET, by=municipal_office)
    with CaptureQueriesContext(connection) as queries:
        rounds.compute_round(round=round_, by=municipal_office)
    locking = [q["sql"] for q in queries if "childcare_allocationround" in q["sql"] and "SELECT" in q["sql"]]
    assert locking, "the round row is read again before storing"
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in locking[0]


def test_compute_on_a_published_round_is_refused(municipal_office):
    families(1)
    job = run(started(municipal_office))
    with pytest.raises(DomainError, match="can no longer be recomputed"):
        rounds.compute_round(round=job.allocation_round, by=municipal_office)


def test_a_batch_hands_its_messages_to_the_broker_in_one_task_after_commit(
    municipal_office, monkeypatch, django_capture_on_commit_callbacks
):
    families(3, unmatched=1)
    handed = []
    monkeypatch.setattr(tasks.hand_over_messages, "delay", lambda ids: handed.append(sorted(ids)))
    job = started(municipal_office)
    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)
    assert job.outcome["messages"] == 4
    assert handed == [sorted(OutboxMessage.objects.values_list("pk", flat=True))]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.QUEUED}


def test_a_broker_down_at_hand_over_leaves_the_messages_to_the_sweeper(
    municipal_office, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    families(2)
    tried = []

    def down(ids):
        tried.append(ids)
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.hand_over_messages, "delay", down)
    job = started(municipal_office)
    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)
    assert len(tried) == 1
    assert job.status == BackgroundJob.Status.DONE
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).count() == 2
