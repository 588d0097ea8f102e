"""An allocation round at city scale: the pure core, and the full round on PostgreSQL (load, compute, write).

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres .venv/bin/python bench/allocation.py

Uses (and re-creates) its own database ``kitaportal_bench_round``; prints the time and peak
Python memory of building the data, of compute_round (snapshot + deferred acceptance + storing
inputs and results as rows), of the pure core on the inputs read back from those rows, and the
round's statistics.
"""

import argparse
import datetime
import itertools
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
BENCH_DATABASE = "kitaportal_bench_round"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=100_000)
    parser.add_argument("--facilities", type=int, default=1_500, help="two age bands each: 3,000 programs")
    parser.add_argument("--wishes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default=BENCH_DATABASE, help="the database to (re-)create for this run")
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
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    target = build(options)
    print(
        f"built:          {options.applicants:,} applicants x {options.wishes} wishes, "
        f"{options.facilities * 2:,} programs in {time.perf_counter() - started:.1f} s"
    )

    from childcare.actors import SYSTEM
    from childcare.allocation.rounds import compute_round
    from childcare.models import AllocationRound

    round_ = AllocationRound.objects.create(target_start_date=target)
    started = time.perf_counter()
    round_ = compute_round(round=round_, by=SYSTEM)
    elapsed = time.perf_counter() - started
    stats = round_.statistics
    print(f"compute_round:  {elapsed:.1f} s (load, deferred acceptance, write preview; target < 60 s)")
    tracemalloc.start()  # a second round, measured for memory only: tracing slows Python down
    compute_round(round=AllocationRound.objects.create(target_start_date=target), by=SYSTEM)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"round peak:     {peak / 2**20:.0f} MiB (tracemalloc, Python objects)")
    core_time, core_peak = time_pure_core(round_)
    print(f"pure core:      {core_time:.2f} s on the same inputs (target < 2 s), peak {core_peak:.0f} MiB")
    print(
        f"matched:        {stats['matched']:,} of {stats['applicants']:,}; seats {stats['seats']:,}; "
        f"first wish {stats['first_wish']:,}; blocking pairs {stats['blocking_pairs']}"
    )


def time_pure_core(round_) -> tuple[float, float]:
    """deferred_acceptance alone on the inputs the round stored (read back from its rows): best of
    three, then peak memory of one run."""
    from childcare.allocation.core import deferred_acceptance
    from childcare.allocation.rounds import round_inputs

    args = round_inputs(round=round_)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        deferred_acceptance(*args)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    deferred_acceptance(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return min(times), peak / 2**20


def build(options) -> datetime.date:
    from django.utils import timezone

    from childcare.models import (
        AgeBand,
        Application,
        ApplicationStatus,
        Capacity,
        Child,
        Facility,
        Provider,
        Wish,
    )

    rng = random.Random(options.seed)
    today = timezone.localdate()
    target = datetime.date(today.year + 1, 8, 1)
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
            district=f"Bezirk {i % 12}",
            latitude=50,
            longitude=8.6,
            opens_at=datetime.time(7),
            closes_at=datetime.time(17),
        )
        for i in range(options.facilities)
    )
    bands = (AgeBand.UNDER_THREE, AgeBand.THREE_TO_SCHOOL)
    seats_per_program = max(1, int(options.applicants * 0.7 / (len(facilities) * 2)))
    Capacity.objects.bulk_create(
        Capacity(
            facility=f, age_band=band, places=rng.randint(seats_per_program // 2, seats_per_program * 3 // 2)
        )
        for f in facilities
        for band in bands
    )
    children = Child.objects.bulk_create(
        (
            Child(
                first_name="Kind",
                last_name=str(i),
                birth_date=target - datetime.timedelta(days=rng.choice((600, 1500))),
            )
            for i in range(options.applicants)
        ),
        batch_size=5000,
    )
    now = timezone.now()
    applications = Application.objects.bulk_create(
        (
            Application(
                child=child,
                desired_start_date=target,
                care_hours_per_week=35,
                status=ApplicationStatus.WAITING,
                submitted_at=now - datetime.timedelta(minutes=rng.randint(0, 10**6)),
                last_confirmed_at=now,
                reference=f"KP-B{i:07d}",
            )
            for i, child in enumerate(children)
        ),
        batch_size=5000,
    )
    # Some facilities are far more popular than others.
    cumulative = list(itertools.accumulate(1 / (rank + 10) for rank in range(len(facilities))))
    population = range(len(facilities))

    def wishes():
        for application, child in zip(applications, children, strict=True):
            band = (
                AgeBand.UNDER_THREE if (target - child.birth_date).days < 3 * 365 else AgeBand.THREE_TO_SCHOOL
            )
            chosen = set()
            while len(chosen) < options.wishes:
                chosen.add(rng.choices(population, cum_weights=cumulative)[0])
            for rank, index in enumerate(chosen, start=1):
                yield Wish(
                    application=application,
                    facility=facilities[index],
                    rank=rank,
                    age_band=band,
                    points=rng.randint(0, 150),
                )

    Wish.objects.bulk_create(wishes(), batch_size=10_000)
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh bulk-loaded tables have no statistics yet: without them PostgreSQL may pick a
        # nested loop for the round's sorted scan that runs for many minutes.
        cursor.execute("ANALYZE")
    return target


if __name__ == "__main__":
    main()
