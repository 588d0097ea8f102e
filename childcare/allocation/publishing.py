"""Publishing a computed round: every matched family's offer and every family's result message.

The office starts it (``start_publishing``); a Celery task does the work
(``publish_in_batches``) in bounded batches, each one transaction that commits its offers,
timeline events, outbox rows and the job's progress together. The progress is the cursor:
a task run twice, or again after a crash, continues after the last committed batch, so
nothing is published twice. The round becomes published when the last batch is done.
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare import jobs
from childcare.actors import SYSTEM, Actor
from childcare.admissions.messages import queue_messages
from childcare.admissions.transitions.offer_bulk import Match, open_offers_in_bulk
from childcare.allocation import result_messages
from childcare.allocation.rounds import require_office
from childcare.errors import DomainError
from childcare.models import (
    WAITING_APPLICATION_STATUSES,
    AllocationRound,
    Application,
    BackgroundJob,
    Facility,
    RoundApplicant,
)
from portal.models import PortalSettings, User

BATCH_SIZE = 1000
# The progress page lists this many refused matches; the count covers all of them.
REFUSALS_LISTED = 200
LOCK_TIMEOUT = "10s"

Status = AllocationRound.Status


def start_publishing(*, round: AllocationRound, by: Actor, expires_at: datetime.datetime) -> BackgroundJob:  # noqa: A002
    """Mark a computed round as being published and queue its job; refused while a job runs."""
    require_office(by)
    if expires_at <= timezone.now():
        raise DomainError(_("The deadline must be in the future."))
    with transaction.atomic():
        locked = AllocationRound.objects.select_for_update(of=("self",)).only("pk", "status")
        locked = locked.get(pk=round.pk)
        if locked.status == Status.PUBLISHING:
            raise DomainError(_("This round is already being published; follow it on its progress page."))
        if locked.status == Status.PUBLISHED:
            raise DomainError(_("This round has already been published."))
        if locked.status != Status.COMPUTED:
            raise DomainError(_("Compute the round before publishing it."))
        AllocationRound.objects.filter(pk=round.pk).update(
            status=Status.PUBLISHING, offers_expire_at=expires_at
        )
        return jobs.create_job(
            kind=BackgroundJob.Kind.ROUND_PUBLISH,
            by=by,
            # The rows, not the statistics: an application deleted since took its row along.
            total=RoundApplicant.objects.filter(allocation_round=round).count(),
            allocation_round=round,
        )


def latest_publish_job(round: AllocationRound) -> BackgroundJob | None:  # noqa: A002
    return round.jobs.filter(kind=BackgroundJob.Kind.ROUND_PUBLISH).order_by("-created_at").first()


@dataclass(frozen=True)
class _Result:
    """One applicant row of the round, as a batch reads it."""

    pk: int
    application_id: int
    wish_id: int | None
    facility_id: int | None  # of the matched program; None: no place


def publish_in_batches(job: BackgroundJob) -> dict:
    """The task's work: publish the round's results from the job's committed progress on.

    Batches are pages of the round's applicant rows by id; the job's outcome keeps the last
    published id (``cursor``), committed with the batch.
    """
    round_ = AllocationRound.objects.only("pk", "status", "target_start_date", "offers_expire_at").get(
        pk=job.allocation_round_id
    )
    by = job.requested_by or SYSTEM
    portal_settings = PortalSettings.load()
    while batch := _next_batch(round_, cursor := _cursor(job)):
        families = _families(batch)
        _publish_batch(
            job=job,
            round_=round_,
            cursor=cursor,
            batch=batch,
            families=families,
            by=by,
            portal_settings=portal_settings,
        )
    _finish(round_, by)
    return BackgroundJob.objects.values_list("outcome", flat=True).get(pk=job.pk)


def _cursor(job: BackgroundJob) -> int:
    return BackgroundJob.objects.values_list("outcome", flat=True).get(pk=job.pk).get("cursor", 0)


def _next_batch(round_: AllocationRound, cursor: int) -> list[_Result]:
    rows = (
        RoundApplicant.objects.filter(allocation_round=round_, pk__gt=cursor)
        .order_by("pk")
        .values_list("pk", "application_id", "wish_id", "program__facility_id")[:BATCH_SIZE]
    )
    return [_Result(*row) for row in rows]


def _families(batch: list[_Result]) -> dict[int, Application]:
    """The batch's applications with their children and guardians, read before any lock: two queries.

    Only what the result message names (reference, child's first name, link; each guardian's
    address and language): a city's batch builds thousands of these objects.
    """
    guardians = Prefetch("child__guardians", queryset=User.objects.only("pk", "email", "language"))
    return (
        Application.objects.select_related("child")
        .only("pk", "public_id", "reference", "child", "child__first_name")
        .prefetch_related(guardians)
        .in_bulk([r.application_id for r in batch])
    )


def _publish_batch(
    *,
    job: BackgroundJob,
    round_: AllocationRound,
    cursor: int,
    batch: list[_Result],
    families: dict[int, Application],
    by,
    portal_settings,
) -> None:
    with transaction.atomic():
        _set_lock_timeout()
        status = (
            AllocationRound.objects.select_for_update(of=("self",)).only("status").get(pk=round_.pk).status
        )
        if status != Status.PUBLISHING:
            raise DomainError(_("The round is no longer being published."))
        # Read after the round's lock: another run of this job may have committed this batch.
        current = BackgroundJob.objects.only("done", "outcome").get(pk=job.pk)
        if current.outcome.get("cursor", 0) != cursor:
            return
        # A row whose application is gone (data retention since the round was computed) is skipped.
        present = [r for r in batch if r.application_id in families]
        matched = [r for r in present if r.facility_id is not None]
        matches = [Match(application_id=r.application_id, wish_id=r.wish_id) for r in matched]
        offers = open_offers_in_bulk(matches=matches, expires_at=round_.offers_expire_at, by=by, round=round_)
        facility_of = {r.application_id: r.facility_id for r in matched}
        facilities = Facility.objects.only("pk", "name").in_bulk(set(facility_of.values()))
        told = [
            result_messages.Family(families[o.application_id], o, facilities[facility_of[o.application_id]])
            for o in offers.opened
        ]
        unmatched = [r.application_id for r in present if r.facility_id is None]
        waiting = Application.objects.filter(pk__in=unmatched, status__in=WAITING_APPLICATION_STATUSES)
        told += [result_messages.Family(families[pk]) for pk in waiting.values_list("pk", flat=True)]
        messages = result_messages.result_messages(
            round_id=round_.pk,
            families=told,
            expires_at=round_.offers_expire_at,
            portal_settings=portal_settings,
        )
        for message in messages:
            if message.about.get("offer"):  # the letter is rendered when the message is sent
                message.attachments = [{"kind": "offer_letter", "object_id": message.about["offer"]}]
        queue_messages(messages)
        outcome = _add_up(
            current.outcome,
            cursor=batch[-1].pk,
            offers=len(offers.opened),
            messages=len(messages),
            refusals=[
                {
                    "reference": getattr(families.get(r.match.application_id), "reference", ""),
                    "reason": r.reason.value,
                }
                for r in offers.refused
            ],
        )
        jobs.record_progress(job=job, done=current.done + len(batch), outcome=outcome)


def _add_up(outcome: dict, *, cursor: int, offers: int, messages: int, refusals: list[dict]) -> dict:
    listed = outcome.get("refused", [])
    return {
        "cursor": cursor,
        "offers": outcome.get("offers", 0) + offers,
        "messages": outcome.get("messages", 0) + messages,
        "refused_count": outcome.get("refused_count", 0) + len(refusals),
        "refused": (listed + refusals)[:REFUSALS_LISTED],
    }


def _set_lock_timeout() -> None:
    """Wait at most this long for a row another transaction holds, then fail the batch (it is retried)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")


def _finish(round_: AllocationRound, by) -> None:
    with transaction.atomic():
        locked = AllocationRound.objects.select_for_update(of=("self",)).only("status").get(pk=round_.pk)
        if locked.status == Status.PUBLISHING:
            AllocationRound.objects.filter(pk=round_.pk).update(
                status=Status.PUBLISHED,
                published_by=by if by is not SYSTEM else None,
                published_at=timezone.now(),
            )
