"""Publishing an allocation round at city scale through the task's code path, on PostgreSQL.

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/publish.py [--sizes 10000 65000] [--database NAME] [--profile FILE]

Uses (and re-creates) its own database (``kitaportal_bench_publish`` unless ``--database``);
builds the city of ``bench/allocation.py`` (100,000 applicants, 3,000 programs) plus one
guardian per child, computes the round, and for each size publishes that many matched results:
the publishing job's task body in batches, writing offers, status changes, timeline events and
outbox rows, and (with a Redis broker) queueing one hand-over task per batch on a queue of this
run; the hand-over itself (one delivery task per message, a worker's work) is timed separately.
The queue is purged afterwards; no worker runs, so no e-mail is sent. Between sizes the offers,
events and messages are removed again. For comparison, the same number of bare offer rows written by
one INSERT ... SELECT (rolled back), measured in the same run: the floor for any way of
writing them. ``--profile`` writes a cProfile of the first size's publish (``python -m pstats``).
"""

import argparse
import cProfile
import os
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
sys.path.insert(0, str(BASE_DIR))
BENCH_DATABASE = "kitaportal_bench_publish"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--facilities", type=int, default=1_500)
    parser.add_argument("--wishes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default=BENCH_DATABASE, help="the database to (re-)create for this run")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 65_000])
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the first size's publish here")
    options = parser.parse_args()

    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit(
            "DATABASE_URL must point at a PostgreSQL server, e.g. postgres://root@127.0.0.1:5432/postgres"
        )
    import psycopg

    with psycopg.connect(server.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {options.database}")
        connection.execute(f"CREATE DATABASE {options.database}")
    os.environ["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/" + options.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    import allocation  # bench/allocation.py: the city builder
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    target = allocation.build(options)
    add_guardians()
    print(
        f"built:          {options.applicants:,} applicants with a guardian each "
        f"in {time.perf_counter() - started:.1f} s"
    )

    from childcare.actors import SYSTEM
    from childcare.allocation.rounds import compute_round, create_round

    round_ = compute_round(round=create_round(target_start_date=target, by=SYSTEM), by=SYSTEM)
    matched = list(round_.applicants.exclude(program=None).order_by("pk").values_list("pk", "wish_id"))
    print(f"computed:       {len(matched):,} matched of {round_.statistics['applicants']:,}")
    queue = use_own_queue()
    for size in options.sizes:
        if size > len(matched):
            print(f"size {size:,}: only {len(matched):,} matches in this city, skipped")
            continue
        baseline = one_query_baseline([wish_id for _pk, wish_id in matched[:size]])
        profile = cProfile.Profile() if options.profile and size == options.sizes[0] else None
        elapsed, job = publish(round_, [pk for pk, _wish_id in matched[:size]], profile=profile)
        if profile is not None:
            profile.dump_stats(options.profile)
        outcome = job.outcome
        print(
            f"publish {size:>7,}: {elapsed:6.1f} s through the task ({size / elapsed:,.0f} offers/s): "
            f"{outcome['offers']:,} offers, {outcome['messages']:,} messages, "
            f"{outcome['refused_count']} refused; "
            f"one INSERT ... SELECT of the bare offers: {baseline:.2f} s "
            f"(publish / bare insert: {elapsed / baseline:.0f}x)"
        )
        if queue is not None:
            print(
                f"  hand-over:    {hand_over_time():6.1f} s to queue a delivery task per message (a worker)"
            )
        reset()
    purge(queue)


def add_guardians() -> None:
    from childcare.models import Child, Guardianship
    from portal.models import User

    children = list(Child.objects.order_by("pk").values_list("pk", flat=True))
    users = User.objects.bulk_create(
        (User(email=f"family{pk}@example.org", password="!", language="de") for pk in children),
        batch_size=5000,
    )
    Guardianship.objects.bulk_create(
        (Guardianship(user=user, child_id=pk) for user, pk in zip(users, children, strict=True)),
        batch_size=5000,
    )


def use_own_queue() -> str | None:
    """Delivery tasks go to a queue of this run on Redis (purged at the end); other brokers get none."""
    from childcare import jobs
    from notifications import dispatch
    from portal.celery import app

    jobs.queue_task = lambda **kwargs: True  # the bench runs the task body itself, timed
    if not app.conf.broker_url.startswith("redis://"):
        print(
            "note:           no Redis broker: delivery tasks are not queued (CELERY_BROKER_URL=redis://...)"
        )
        dispatch.enqueue_delivery = lambda message_id, eta=None: True
        return None
    queue = f"kitaportal-bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    return queue


def purge(queue: str | None) -> None:
    if queue is None:
        return
    from portal.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.client.delete(queue, f"_kombu.binding.{queue}")


def one_query_baseline(wish_ids: list[int]) -> float:
    """One statement writing the same bare offer rows (no checks, events or messages), rolled back."""
    from django.db import connection, transaction

    with transaction.atomic():
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO childcare_offer (public_id, application_id, wish_id, start_date, expires_at, "
                "status, created_at) SELECT gen_random_uuid(), application_id, id, now()::date, "
                "now() + interval '14 days', 'open', now() FROM childcare_wish WHERE id = ANY(%s)",
                [wish_ids],
            )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def publish(round_, applicant_ids: list[int], *, profile: cProfile.Profile | None = None):
    """A round holding the given matched applicant rows of ``round_``, published by the task body;
    seconds and the job."""
    from childcare import tasks
    from childcare.actors import SYSTEM
    from childcare.admissions.offers import default_deadline
    from childcare.allocation.publishing import start_publishing
    from childcare.models import AllocationRound, RoundApplicant, RoundProgram

    part = AllocationRound.objects.create(
        target_start_date=round_.target_start_date,
        status=AllocationRound.Status.COMPUTED,
        statistics={"applicants": len(applicant_ids)},
    )
    programs = list(round_.programs.all())
    copies = RoundProgram.objects.bulk_create(
        RoundProgram(
            allocation_round=part,
            facility_id=p.facility_id,
            age_band=p.age_band,
            seats=p.seats,
            filled=p.filled,
        )
        for p in programs
    )
    program_of = {p.pk: copy.pk for p, copy in zip(programs, copies, strict=True)}
    rows = RoundApplicant.objects.filter(pk__in=applicant_ids).order_by("pk")
    RoundApplicant.objects.bulk_create(
        (
            RoundApplicant(
                allocation_round=part,
                application_id=row.application_id,
                wishes=row.wishes,
                program_id=program_of[row.program_id],
                wish_id=row.wish_id,
                rank_reached=row.rank_reached,
                best_position=row.best_position,
                best_program_id=program_of[row.best_program_id],
            )
            for row in rows.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )
    if profile is not None:
        profile.enable()
    started = time.perf_counter()
    job = start_publishing(round=part, by=SYSTEM, expires_at=default_deadline())
    tasks.publish_round(job.pk)
    elapsed = time.perf_counter() - started
    if profile is not None:
        profile.disable()
    job.refresh_from_db()
    return elapsed, job


def hand_over_time() -> float:
    """The batches leave the hand-over of their messages to the broker to a task; time it here."""
    from childcare.admissions.messages import hand_over
    from notifications.models import OutboxMessage

    message_ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    hand_over(message_ids)
    return time.perf_counter() - started


def reset() -> None:
    """Undo a publish so the next size starts from the same waiting city."""
    from childcare.models import Application, ApplicationEvent, ApplicationStatus, Offer, Wish, WishStatus
    from notifications.models import OutboxMessage

    Offer.objects.all().delete()
    ApplicationEvent.objects.all().delete()
    OutboxMessage.objects.all().delete()
    Wish.objects.filter(status=WishStatus.OFFERED).update(status=WishStatus.ACTIVE)
    Application.objects.filter(status=ApplicationStatus.OFFERED).update(status=ApplicationStatus.WAITING)


if __name__ == "__main__":
    main()
