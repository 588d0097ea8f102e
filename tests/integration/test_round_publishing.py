"""Services tier: a round published by a real worker on PostgreSQL and Redis, and a worker killed halfway."""

import datetime
import email
import email.policy
import signal

import pytest
from django.db import connection
from django.utils import timezone

from childcare import tasks
from childcare.admissions.offers import default_deadline
from childcare.allocation import publishing, rounds
from childcare.models import (
    AgeBand,
    AllocationRound,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    BackgroundJob,
    Capacity,
    Child,
    EventKind,
    Facility,
    Guardianship,
    Offer,
    Provider,
    Wish,
)
from notifications.models import OutboxMessage
from portal.models import User
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
TARGET = timezone.localdate() + datetime.timedelta(days=120)
PER_FACILITY = 50


def city(applicants: int) -> None:
    """``applicants`` families with one guardian each, every one wishing a place that is free for it."""
    provider = Provider.objects.create(name="Stadt", kind="municipal")
    facilities = Facility.objects.bulk_create(
        Facility(
            provider=provider,
            type="kita",
            name=f"Kita {i}",
            slug=f"kita-{i}",
            street="Weg 1",
            postcode="63000",
            city="Musterstadt",
            district="Mitte",
            latitude=50,
            longitude=8.6,
            opens_at=datetime.time(7),
            closes_at=datetime.time(17),
        )
        for i in range(-(-applicants // PER_FACILITY))
    )
    Capacity.objects.bulk_create(
        Capacity(facility=f, age_band=AgeBand.THREE_TO_SCHOOL, places=PER_FACILITY) for f in facilities
    )
    users = User.objects.bulk_create(
        User(email=f"family{i}@example.org", password="!", language="en") for i in range(applicants)
    )
    children = Child.objects.bulk_create(
        Child(first_name="Kind", last_name=str(i), birth_date=TARGET - datetime.timedelta(days=1200))
        for i in range(applicants)
    )
    Guardianship.objects.bulk_create(
        Guardianship(user=u, child=c) for u, c in zip(users, children, strict=True)
    )
    now = timezone.now()
    applications = Application.objects.bulk_create(
        Application(
            child=c,
            desired_start_date=TARGET,
            status=ApplicationStatus.WAITING,
            submitted_at=now,
            last_confirmed_at=now,
            reference=f"KP-T{i:07d}",
        )
        for i, c in enumerate(children)
    )
    Wish.objects.bulk_create(
        Wish(application=a, facility=facilities[i // PER_FACILITY], rank=1, age_band=AgeBand.THREE_TO_SCHOOL)
        for i, a in enumerate(applications)
    )


def computed_round(office) -> AllocationRound:
    return rounds.compute_round(round=rounds.create_round(target_start_date=TARGET, by=office), by=office)


def assert_published_once(count: int) -> None:
    assert Offer.objects.count() == count
    assert Offer.objects.values("application").distinct().count() == count
    assert ApplicationEvent.objects.filter(kind=EventKind.OFFER_MADE).count() == count
    assert OutboxMessage.objects.filter(kind="allocation_result").count() == count
    assert OutboxMessage.objects.values("recipient").distinct().count() == count
    assert AllocationRound.objects.get().status == AllocationRound.Status.PUBLISHED


def test_a_real_worker_publishes_a_round_of_2000_families(celery_worker, smtp_server, municipal_office):
    city(2000)
    round_ = computed_round(municipal_office)
    assert round_.statistics["matched"] == 2000
    job = publishing.start_publishing(round=round_, by=municipal_office, expires_at=default_deadline())
    assert wait_for(
        lambda: BackgroundJob.objects.get(pk=job.pk).status in ("done", "failed"), timeout=240, interval=0.5
    )
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.DONE, job.error
    assert (job.done, job.total, job.outcome["offers"], job.outcome["refused_count"]) == (2000, 2000, 2000, 0)
    assert_published_once(2000)
    # the same worker then delivers the e-mails, each with its offer letter rendered at send time
    assert wait_for(lambda: len(smtp_server.messages) >= 3, timeout=60)
    sent = email.message_from_bytes(smtp_server.messages[0].content, policy=email.policy.default)
    assert "Allocation round: place offered at Kita" in sent["Subject"]
    assert any(part.get_content_type() == "application/pdf" for part in sent.iter_attachments())


def test_a_worker_killed_after_the_first_batch_leaves_nothing_published_twice(
    worker_process, smtp_server, municipal_office
):
    total = 3 * publishing.BATCH_SIZE
    city(total)
    round_ = computed_round(municipal_office)
    worker = worker_process(smtp_port=smtp_server.port)
    job = publishing.start_publishing(round=round_, by=municipal_office, expires_at=default_deadline())
    assert wait_for(
        lambda: BackgroundJob.objects.get(pk=job.pk).done >= publishing.BATCH_SIZE, timeout=180
    ), worker.output()
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(timeout=10)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.RUNNING  # nobody told the job: its worker just vanished
    assert publishing.BATCH_SIZE <= job.done < total
    assert Offer.objects.count() == job.done  # the batch in flight was rolled back with the connection
    assert AllocationRound.objects.get().status == AllocationRound.Status.PUBLISHING

    connection.close()
    tasks.publish_round(job.pk)  # the task again, as a redelivery or a resume from the page does it
    job.refresh_from_db()
    assert (job.status, job.done, job.outcome["offers"]) == (BackgroundJob.Status.DONE, total, total)
    assert_published_once(total)
