"""The bulk jobs at city scale: time and peak memory of each.

    DATABASE_URL=postgres://root@127.0.0.1:5432/kp_bench_scale .venv/bin/python bench/jobs.py

Runs against the seeded city DATABASE_URL names (``seed_scale``; it changes data there). Each
job runs in a fresh child process, so its peak resident set (``ru_maxrss``) is the job's own
and not this process's history: computing an allocation round (snapshot, deferred acceptance,
storing the preview), the policy re-scoring after the office changed a criterion (every wish
of a resident family changes, run as the worker's task runs it), then the nightly points
refresh (the policy unchanged: only points that moved with the date are written). Targets
(issue "City scale"): re-scoring and refresh under 60 s and 500 MiB each at 450,000 wishes.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
JOBS = ("round compute", "rescoring", "refresh")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--job", choices=JOBS, help="run one job in this process and print its figures")
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must point at a seeded PostgreSQL city, e.g. .../kp_bench_scale")
    if options.job:
        print(json.dumps(run_job(options.job)))
        return
    for result in measure_all():
        print(format_result(result))


def measure_all(environment: dict[str, str] | None = None) -> list[dict]:
    """Each job in its own child process; the figures it printed (bench/pages.py calls this too)."""
    results = []
    for job in JOBS:
        completed = subprocess.run(
            [sys.executable, __file__, "--job", job],
            cwd=BASE_DIR,
            env=environment or dict(os.environ),
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode:
            sys.exit(f"{job} failed:\n{completed.stderr}")
        results.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    return results


def format_result(result: dict) -> str:
    return (
        f"{result['job']:<14} {result['seconds']:6.1f} s, peak RSS {result['peak_mib']:4.0f} MiB "
        f"(at start {result['start_mib']:.0f} MiB): {result['what']}"
    )


def run_job(job: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from childcare import tasks
    from childcare.models import LISTED_WISH_STATUSES, BackgroundJob, PriorityPolicy, Wish

    wishes = Wish.objects.filter(status__in=LISTED_WISH_STATUSES).count()
    if job == "round compute":
        start_mib = peak_mib()
        started = time.perf_counter()
        statistics = compute_a_round()
        return {
            "job": job,
            "seconds": time.perf_counter() - started,
            "peak_mib": peak_mib(),
            "start_mib": start_mib,
            "what": f"{statistics.get('applicants', 0):,} applicants, "
            f"{statistics.get('matched', 0):,} matched",
        }
    if job == "rescoring":
        # The office changes one criterion; every wish of a resident family changes its points.
        policy = PriorityPolicy.load()
        policy.residence_points += 1 if policy.residence_points % 2 == 0 else -1
        policy.save()
        # The job row as saving the policy writes it, run here as the worker runs it (not queued).
        background_job = BackgroundJob.objects.create(kind=BackgroundJob.Kind.POLICY_RESCORING)
        start_mib = peak_mib()
        started = time.perf_counter()
        tasks.rescore_wishes(background_job.pk)
        background_job.refresh_from_db()
        changed = background_job.outcome["changed"]
    else:
        start_mib = peak_mib()
        started = time.perf_counter()
        changed = tasks.refresh_points()
    return {
        "job": job,
        "seconds": time.perf_counter() - started,
        "peak_mib": peak_mib(),
        "start_mib": start_mib,
        "what": f"{wishes:,} listed wishes, {changed:,} changed",
    }


def compute_a_round() -> dict:
    """A new round for next year's start, computed as the office's button does it; its statistics."""
    import datetime

    from django.utils import timezone

    from childcare.actors import SYSTEM
    from childcare.allocation.rounds import compute_round
    from childcare.models import AllocationRound
    from portal.models import PortalSettings

    target = PortalSettings.load().next_year_start(timezone.localdate() + datetime.timedelta(days=1))
    round_ = compute_round(round=AllocationRound.objects.create(target_start_date=target), by=SYSTEM)
    return getattr(round_, "statistics", None) or {}


def peak_mib() -> float:
    """The process's peak resident set so far (VmHWM; unlike ru_maxrss it starts afresh at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
