"""Page timings, load tests, bulk jobs and memory at city scale, each beside a reference.

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/pages.py [--database kp_copy] [--publish]     # or: make bench

Uses its own database ``kitaportal_bench`` on the server DATABASE_URL names (created and seeded
with ``seed_scale`` when it has no facilities yet; kept for the next run), starts gunicorn with the
production settings (DEBUG=false, a generated SECRET_KEY, the Redis cache) on a free loopback
port and measures every page over keep-alive-free HTTP, interleaved with ``/health/ping`` (one
SELECT), so both see the same machine load. The SQL query count of each page comes from an
in-process test client with ``CaptureQueriesContext``. The public search and facility pages are
kept rendered once asked (childcare/facilities/public_cache.py), so they are measured twice: the
same question again and again, and a question nobody asked yet on every request. Then a load
test of the anonymous search mix (the same three questions; and with every fourth one new), of
parents on their dashboards submitting draft applications and of staff on their waitlists, at
25 and 100 concurrent connections (``bench/load.py``, several client processes), beside the
one-query view's throughput, with a check that gunicorn's workers keep their database
connections. A Celery worker runs meanwhile and delivers what the submissions queue.
Then the bulk jobs (``bench/jobs.py``: round compute, policy re-scoring, nightly refresh; with
``--publish`` also ``bench/publish.py``, which builds its own city), the peak resident set of
gunicorn's workers and of the Celery worker, and a summary table to paste into an issue note.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
sys.path.insert(0, str(BASE_DIR))
import jobs  # noqa: E402 (bench/jobs.py, found through the path above)
import load  # noqa: E402
from city import (  # noqa: E402
    Fixtures,
    ensure_database,
    prepare,
    production_environment,
    seed_demo_town,
    seed_if_empty,
)
from load import Request  # noqa: E402
from server import ONE_QUERY_PATH, celery_worker, free_port, get, gunicorn, wait_until_up  # noqa: E402

BENCH_DATABASE = "kitaportal_bench"
DEMO_DATABASE = "kitaportal_bench_demo"


def main() -> None:
    # A terminated run stops its gunicorn too (the context manager's exit runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="requests per page (and as many one-query)")
    parser.add_argument("--facilities", type=int, default=3000)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--wishes", type=int, default=5)
    parser.add_argument("--load-seconds", type=float, default=10.0, help="per load-test run")
    parser.add_argument("--concurrency", type=int, nargs="*", default=[25, 100])
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: its config's default)")
    parser.add_argument("--only", nargs="*", default=None, help="measure only pages whose name contains one")
    parser.add_argument(
        "--page-seconds",
        type=float,
        default=60.0,
        help="stop a page's requests after this long (at least 10 made): keeps a run of slow pages short",
    )
    parser.add_argument("--no-jobs", action="store_true", help="skip round compute, re-scoring, refresh")
    parser.add_argument("--publish", action="store_true", help="also run bench/publish.py (own city, long)")
    parser.add_argument(
        "--database", default=BENCH_DATABASE, help="database on DATABASE_URL's server (seeded when empty)"
    )
    parser.add_argument(
        "--demo-town",
        action="store_true",
        help=f"only the search pages, on the demo town (seed_demo, database {DEMO_DATABASE})",
    )
    options = parser.parse_args()
    if options.demo_town:
        options.database, options.no_jobs, options.load_seconds = DEMO_DATABASE, True, 0

    server, broker = os.environ.get("DATABASE_URL", ""), os.environ.get("CELERY_BROKER_URL", "")
    if not server.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL, e.g. postgres://root@127.0.0.1:5432/postgres")
    if not broker.startswith("redis"):
        sys.exit("CELERY_BROKER_URL must point at Redis, e.g. redis://127.0.0.1:6379/0")
    run_started = time.perf_counter()
    server_url = server
    database_url = ensure_database(server, options.database)
    os.environ.update(production_environment(database_url, broker))
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production serves hashed names
    if options.demo_town:
        fixtures = seed_demo_town()
        pages = page_list(fixtures)[:3] + [page for page in page_list(fixtures) if page.paths][:1]
    else:
        seed_if_empty(options)
        fixtures = prepare()
        pages = page_list(fixtures)
    if options.only:
        pages = [page for page in pages if any(word in page.name for word in options.only)]
    queries = {page.name: count_queries(page) for page in pages}

    summary: list[tuple[str, str, str]] = []
    port = free_port()
    with gunicorn(port, options.workers) as server, celery_worker() as worker:
        wait_until_up(port)
        print(f"\nPages, {options.requests} requests each, interleaved with {ONE_QUERY_PATH} (one SELECT)\n")
        rows = []
        for page in pages:
            row = measure_page(port, page, options.requests, options.page_seconds)
            row["queries"] = queries[page.name]
            rows.append(row)
            print_row(row)
        print_table(rows)
        summary += [
            (
                row["name"],
                f"{row['median'] * 1000:.0f} ms (p95 {row['p95'] * 1000:.0f}, n={row['requests']}), "
                f"{row['queries']} queries",
                f"{row['ratio']:.1f}x",
            )
            for row in rows
        ]
        if options.load_seconds > 0 and options.concurrency:
            summary += load_test(port, fixtures, options)
        web_peak = server.peak_rss_mib()
        worker_peak = worker.peak_rss_mib()
    print(f"\nPeak RSS: gunicorn web workers {format_peaks(web_peak)}")
    print(f"Peak RSS: Celery worker (main, pool child) {format_peaks(worker_peak)}")
    summary.append(("peak RSS per web worker", f"{max(web_peak, default=0):.0f} MiB", ""))
    summary.append(("peak RSS Celery worker", f"{max(worker_peak, default=0):.0f} MiB", ""))
    if not options.no_jobs:
        print("\nBulk jobs, each in its own process on this database\n")
        for result in jobs.measure_all(dict(os.environ)):
            print("  " + jobs.format_result(result), flush=True)
            summary.append(
                (
                    result["job"],
                    f"{result['seconds']:.1f} s, peak {result['peak_mib']:.0f} MiB",
                    result["what"],
                )
            )
    if options.publish:
        summary += run_publish_bench(server_url)
    elapsed = time.perf_counter() - run_started
    print_summary(summary, elapsed)


def format_peaks(peaks: list[float]) -> str:
    return ", ".join(f"{peak:.0f}" for peak in sorted(peaks, reverse=True)) + " MiB" if peaks else "n/a"


def run_publish_bench(server_url: str) -> list[tuple[str, str, str]]:
    """bench/publish.py in its own database (it builds its city); its figures as printed."""
    print("\nPublishing (bench/publish.py, its own database and city)\n", flush=True)
    completed = subprocess.run(
        [sys.executable, str(BASE_DIR / "bench" / "publish.py")],
        cwd=BASE_DIR,
        env=dict(os.environ, DATABASE_URL=server_url),
        capture_output=True,
        text=True,
        check=False,
    )
    print(completed.stdout + completed.stderr[-2000:])
    lines = [line.strip() for line in completed.stdout.splitlines() if "publish" in line.lower()]
    return [("publish (bench/publish.py)", line, "") for line in lines[-2:]]


def print_summary(summary: list[tuple[str, str, str]], elapsed: float) -> None:
    print(
        f"\nSummary (whole run {elapsed / 60:.1f} min); ratios against the one-query view in the same run\n"
    )
    print("| measured | figure | beside the one-query view / note |")
    print("| --- | --- | --- |")
    for name, figure, note in summary:
        print(f"| {name} | {figure} | {note} |")


class Page:
    """A page to measure; with ``paths``, each request asks the next of them (a new question each
    time: what a visitor meets before anyone asked it, since the public pages are kept rendered)."""

    def __init__(self, name: str, path: str, cookie: str | None = None, paths: list[str] | None = None):
        self.name, self.path, self.cookie, self.paths = name, path, cookie, paths

    def path_for(self, number: int) -> str:
        return self.paths[number % len(self.paths)] if self.paths else self.path


def page_list(f: Fixtures) -> list[Page]:
    from urllib.parse import urlencode

    from django.urls import reverse

    from childcare.models import Facility

    search = reverse("parents:facility_search")
    # Never asked before in this run: every page of results for each age (3,000 facilities: 150
    # pages of 20) and facilities in turn, so each request renders anew.
    new_questions = [
        search + "?" + urlencode({"age_years": age, "page": number})
        for number in range(1, 151)
        for age in range(6)
    ]
    facilities = [
        reverse("parents:facility_detail", args=[slug])
        for slug in Facility.objects.filter(is_active=True)
        .order_by("?")
        .values_list("slug", flat=True)[:1000]
    ]
    return [
        Page("search: no filter", search),
        Page(
            "search: age+start+free",
            search + "?" + urlencode({"age_years": 2, "start": f.start, "free_at_start": "on"}),
        ),
        Page("search: distance sort", search + "?" + urlencode({"near": f.near, "sort": "distance"})),
        Page("facility page", reverse("parents:facility_detail", args=[f.facility_slug])),
        Page("search: a new question each time", new_questions[0], paths=new_questions),
        Page("facility page: a new one each time", facilities[0], paths=facilities),
        Page("planning (office)", reverse("backoffice:planning_overview"), f.office_cookie),
        Page(
            "round preview (office)", reverse("backoffice:round_detail", args=[f.round_id]), f.office_cookie
        ),
        Page("staff waitlist", reverse("backoffice:waitlist", args=[f.waitlist_slug]), f.staff_cookie),
        Page(
            "staff waitlist CSV", reverse("backoffice:waitlist_csv", args=[f.waitlist_slug]), f.staff_cookie
        ),
        Page("parent dashboard", reverse("parents:application_list"), f.parent_cookie),
    ]


def count_queries(page: Page) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    if page.cookie:
        client.cookies[settings.SESSION_COOKIE_NAME] = page.cookie
    client.get(page.path)  # warm: the settings rows and the like are cached per process
    with CaptureQueriesContext(connection) as captured:
        # A page asked anew each time is counted on a question not asked yet.
        response = client.get(page.path_for(-1) if page.paths else page.path)
    if response.status_code != 200:
        sys.exit(f"{page.name}: {page.path} answered {response.status_code}")
    return len(captured)


# --- measuring ----------------------------------------------------------------------------------


def measure_page(port: int, page: Page, count: int, budget: float) -> dict:
    """``count`` requests, each followed by one of the one-query view; fewer once ``budget`` s passed."""
    for _ in range(3):  # warm both: the workers' connections, caches and imports
        get(port, page.path, page.cookie)
        get(port, ONE_QUERY_PATH)
    times, baseline, errors = [], [], 0
    deadline = time.monotonic() + budget
    for number in range(1, count + 1):
        if time.monotonic() > deadline and len(times) >= 10:
            break
        status, seconds = get(port, page.path_for(number), page.cookie)
        errors += status != 200
        times.append(seconds)
        baseline.append(get(port, ONE_QUERY_PATH)[1])
    median, one = statistics.median(times), statistics.median(baseline)
    return {
        "name": page.name,
        "median": median,
        "p95": load.percentile(times, 0.95),
        "one_query": one,
        "ratio": median / one,
        "errors": errors,
        "requests": len(times),
    }


def print_row(row: dict) -> None:
    print(f"  measured {row['name']}: {row['median'] * 1000:.1f} ms", flush=True)


TABLE = "{:<26} {:>10} {:>9} {:>8} {:>11} {:>7} {:>7} {:>9}"


def print_table(rows: list[dict]) -> None:
    print()
    print(TABLE.format("page", "median ms", "p95 ms", "queries", "1-query ms", "ratio", "errors", "requests"))
    for row in rows:
        print(
            TABLE.format(
                row["name"],
                f"{row['median'] * 1000:.1f}",
                f"{row['p95'] * 1000:.1f}",
                row["queries"],
                f"{row['one_query'] * 1000:.2f}",
                f"{row['ratio']:.1f}x",
                row["errors"],
                row["requests"],
            )
        )


def database_backends() -> set[tuple[int, object]]:
    """The bench database's server processes other than this one: (pid, start time)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return set(cursor.fetchall())


LOAD = "{:<34} {:>5} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>9}"


def mixes(f: Fixtures) -> list[tuple[str, list[list[Request]]]]:
    """The mixes: what each virtual user replays (see bench/load.py)."""
    pages = page_list(f)
    search = [[Request(page.path) for page in pages[:3]]]
    # Each virtual user asks the three repeated questions and then one nobody asked yet (a page
    # and an age, with a marker unique to this call, so no earlier run has it kept either).
    new_questions = next(page.paths for page in pages if page.paths and "search" in page.name)
    marker = time.monotonic_ns()
    varied = [
        [
            request
            for n in range(50)
            for request in (
                *(Request(page.path) for page in pages[:3]),
                Request(f"{new_questions[(user * 50 + n) % len(new_questions)]}&run={marker}-{user}-{n}"),
            )
        ]
        for user in range(100)
    ]
    return [
        ("anonymous search mix", search),
        ("search mix, 1 in 4 new", varied),
        ("parents: dashboard + submit", f.parent_scripts),
        ("staff: waitlists", f.staff_scripts),
    ]


def load_test(port: int, fixtures: Fixtures, options) -> list[tuple[str, str, str]]:
    """Each mix at each concurrency beside the one-query view; rows for the summary.

    Each run also compares the database's server processes before and after: with persistent
    connections every worker keeps its one (gunicorn's max_requests recycling aside).
    """
    print(
        f"\nLoad test: {options.load_seconds:.0f} s per run, a new TCP connection per request, "
        f"{load.PROCESSES} client processes\n"
    )
    print(LOAD.format("run", "conc", "req/s", "p50 ms", "p95 ms", "p99 ms", "ok", "errors", "new conns"))
    one_query = [[Request(ONE_QUERY_PATH)]]
    summary = []
    for concurrency in options.concurrency:
        reference = None
        for name, scripts in [("one-query view", one_query), *mixes(fixtures)]:
            load.run(port, scripts, 10, 1.0)  # warm every worker
            before = database_backends()
            result = load.run(port, scripts, concurrency, options.load_seconds)
            opened = len(database_backends() - before)
            reference = reference or result.rps
            print(
                LOAD.format(
                    name,
                    concurrency,
                    f"{result.rps:.1f}",
                    f"{result.percentile(0.50) * 1000:.1f}",
                    f"{result.percentile(0.95) * 1000:.1f}",
                    f"{result.percentile(0.99) * 1000:.1f}",
                    len(result.latencies),
                    result.errors,
                    opened,
                ),
                flush=True,
            )
            if name != "one-query view":
                summary.append(
                    (
                        f"load: {name} at {concurrency}",
                        f"{result.rps:.1f} req/s, p50/p95/p99 {result.percentile(0.5) * 1000:.0f}/"
                        f"{result.percentile(0.95) * 1000:.0f}/{result.percentile(0.99) * 1000:.0f} ms, "
                        f"{result.errors} errors",
                        f"{result.rps / reference:.2f} of {reference:.0f} req/s",
                    )
                )
    print(
        "new conns: database connections opened during the run; persistent connections make it 0, or at"
        " most one per worker once DATABASE_CONN_MAX_AGE (60 s in production) has passed"
    )
    from childcare.models import Application, ApplicationStatus

    submitted = (
        Application.objects.filter(pk__in=fixtures.drafts).exclude(status=ApplicationStatus.DRAFT).count()
    )
    print(f"parents submitted {submitted} of the {len(fixtures.drafts)} drafts they were given")
    summary.append(("load: applications submitted", f"{submitted} of {len(fixtures.drafts)} drafts", ""))
    return summary


if __name__ == "__main__":
    main()
