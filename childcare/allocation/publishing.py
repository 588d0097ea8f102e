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
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare import jobs
from childcare.actors import SYSTEM, Actor
from childcare.admissions.messages import guardian_messages, queue_messages
from childcare.admissions.transitions.offer import start_date_for
from childcare.admissions.transitions.offer_bulk import Match, open_offers_in_bulk
from childcare.allocation.rounds import require_office
from childcare.errors import DomainError
from childcare.models import (
    WAITING_APPLICATION_STATUSES,
    AllocationRound,
    Application,
    BackgroundJob,
    Offer,
    Wish,
)
from notifications.models import OutboxMessage
from portal.models import PortalSettings

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
        locked = AllocationRound.objects.select_for_update(of=("self",)).only("pk", "status", "statistics")
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
            total=locked.statistics.get("applicants", 0),
            allocation_round=round,
        )


def latest_publish_job(round: AllocationRound) -> BackgroundJob | None:  # noqa: A002
    return round.jobs.filter(kind=BackgroundJob.Kind.ROUND_PUBLISH).order_by("-created_at").first()


@dataclass
class _Prepared:
    """One batch's families, loaded and their messages rendered before any lock is taken."""

    applications: dict[int, Application]
    messages: dict[int, list[OutboxMessage]]


def publish_in_batches(job: BackgroundJob) -> dict:
    """The task's work: publish the round's results from the job's committed progress on."""
    round_ = AllocationRound.objects.only(
        "pk", "status", "results", "target_start_date", "offers_expire_at"
    ).get(pk=job.allocation_round_id)
    by = job.requested_by or SYSTEM
    results = round_.results
    portal_settings = PortalSettings.load()
    while (cursor := _progress(job)) < len(results):
        batch = results[cursor : cursor + BATCH_SIZE]
        prepared = _prepare(batch, round_, portal_settings)
        _publish_batch(job=job, round_=round_, cursor=cursor, batch=batch, prepared=prepared, by=by)
    _finish(round_, by)
    return BackgroundJob.objects.values_list("outcome", flat=True).get(pk=job.pk)


def _progress(job: BackgroundJob) -> int:
    return BackgroundJob.objects.values_list("done", flat=True).get(pk=job.pk)


def _prepare(batch: list[dict], round_: AllocationRound, portal_settings) -> _Prepared:
    """Load the batch's wishes and families and render their messages: three queries, no locks."""
    wishes = Wish.objects.select_related("facility").in_bulk([r["wish"] for r in batch if r["wish"]])
    applications = (
        Application.objects.select_related("child")
        .prefetch_related("child__guardians")
        .in_bulk([r["application"] for r in batch])
    )
    messages = {}
    for result in batch:
        application = applications.get(result["application"])
        if application is None:  # deleted since the round was computed (e.g. data retention)
            continue
        wish = wishes.get(result["wish"]) if result["wish"] else None
        # Unsaved: the message names the offer's start and deadline before the offer exists.
        offer = (
            Offer(
                application=application,
                wish=wish,
                start_date=start_date_for(application, not_before=round_.target_start_date),
                expires_at=round_.offers_expire_at,
            )
            if wish
            else None
        )
        messages[application.pk] = guardian_messages(
            application=application,
            kind="allocation_result",
            key=f"round:{round_.pk}:application:{application.pk}",
            context={"facility": wish.facility if wish else None, "offer": offer},
            portal_settings=portal_settings,
        )
    return _Prepared(applications=applications, messages=messages)


def _publish_batch(
    *, job: BackgroundJob, round_: AllocationRound, cursor: int, batch: list[dict], prepared: _Prepared, by
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
        if current.done != cursor:
            return
        matches = [Match(application_id=r["application"], wish_id=r["wish"]) for r in batch if r["wish"]]
        offers = open_offers_in_bulk(matches=matches, expires_at=round_.offers_expire_at, by=by, round=round_)
        messages = []
        for offer in offers.opened:
            for message in prepared.messages.get(offer.application_id, ()):
                message.attachments = [{"kind": "offer_letter", "object_id": offer.pk}]
                messages.append(message)
        unmatched = [r["application"] for r in batch if not r["wish"]]
        waiting = Application.objects.filter(pk__in=unmatched, status__in=WAITING_APPLICATION_STATUSES)
        for application_id in waiting.values_list("pk", flat=True):
            messages.extend(prepared.messages.get(application_id, ()))
        queue_messages(messages)
        outcome = _add_up(
            current.outcome,
            offers=len(offers.opened),
            messages=len(messages),
            refusals=[
                {
                    "reference": getattr(prepared.applications.get(r.match.application_id), "reference", ""),
                    "reason": r.reason.value,
                }
                for r in offers.refused
            ],
        )
        jobs.record_progress(job=job, done=cursor + len(batch), outcome=outcome)


def _add_up(outcome: dict, *, offers: int, messages: int, refusals: list[dict]) -> dict:
    listed = outcome.get("refused", [])
    return {
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
