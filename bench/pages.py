"""Page timings, load tests, bulk jobs and memory at city scale, each beside a reference.

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/pages.py [--database kp_copy] [--publish]     # or: make bench

Uses its own database ``kitaportal_bench`` on the server DATABASE_URL names (created and seeded
with ``seed_scale`` when it has no facilities yet; kept for the next run), starts gunicorn with the
production settings (DEBUG=false, a generated SECRET_KEY, the Redis cache) on a free loopback
port and measures every page over keep-alive-free HTTP, interleaved with ``/health/ping`` (one
SELECT), so both see the same machine load. The SQL query count of each page comes from an
in-process test client with ``CaptureQueriesContext``. Then a load test of the anonymous search
mix, of parents on their dashboards submitting draft applications and of staff on their
waitlists, at 25 and 100 concurrent connections (``bench/load.py``, several client processes),
beside the one-query view's throughput, with a check that gunicorn's workers keep their
database connections. A Celery worker runs meanwhile and delivers what the submissions queue.
Then the bulk jobs (``bench/jobs.py``: round compute, policy re-scoring, nightly refresh; with
``--publish`` also ``bench/publish.py``, which builds its own city), the peak resident set of
gunicorn's workers and of the Celery worker, and a summary table to paste into an issue note.
"""

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
sys.path.insert(0, str(BASE_DIR))
import jobs  # noqa: E402 (bench/jobs.py, found through the path above)
import load  # noqa: E402
from load import Request  # noqa: E402

BENCH_DATABASE = "kitaportal_bench"
ONE_QUERY_PATH = "/health/ping"


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
    options = parser.parse_args()

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


# --- set-up -------------------------------------------------------------------------------------


def ensure_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


def production_environment(database_url: str, broker: str) -> dict[str, str]:
    """What gunicorn and this process run with: production settings, plain http on loopback."""
    return {
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "CACHE_URL": broker,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SITE_URL": "http://127.0.0.1",
        "ACCOUNT_RATE_LIMITS_ENABLED": "false",
        "STAFF_IDLE_TIMEOUT_MINUTES": "600",
        "VAR_DIR": str(BASE_DIR / "var" / "bench"),
    }


def seed_if_empty(options) -> None:
    from django.core.management import call_command

    from childcare.models import Facility

    if Facility.objects.exists():
        return
    print(
        f"seeding {options.facilities:,} facilities, {options.applications:,} applications "
        "(a few minutes, once) ..."
    )
    started = time.perf_counter()
    call_command(
        "seed_scale",
        facilities=options.facilities,
        applications=options.applications,
        wishes=options.wishes,
    )
    print(f"seeded in {time.perf_counter() - started:.0f} s")


class Fixtures:
    """The people and objects the pages are about, with signed-in session cookies."""

    facility_slug: str
    waitlist_slug: str
    round_id: str
    office_cookie: str
    staff_cookie: str
    parent_cookie: str
    near: str
    start: str
    parent_scripts: list[list[Request]]
    staff_scripts: list[list[Request]]
    drafts: list[int]


PARENT_SCRIPTS, DRAFTS_PER_SCRIPT, STAFF_SCRIPTS = 50, 6, 20


def session_cookie(user) -> str:
    """A session as a sign-in with the second factor leaves it (see tests/conftest.PortalClient)."""
    from django.test import Client

    from portal.second_factor import mark_second_factor_proven

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    mark_second_factor_proven(session, user)
    session.save()
    return session.session_key


def prepare() -> Fixtures:
    from django.db.models import Count
    from django.utils import timezone

    from childcare.actors import SYSTEM
    from childcare.allocation.rounds import compute_round, create_round
    from childcare.demo.scale import OFFICE_EMAIL
    from childcare.models import AllocationRound, Application, Facility, Guardianship, StaffMembership
    from portal.models import PortalSettings, User

    fixtures = Fixtures()
    portal, today = PortalSettings.load(), timezone.localdate()
    # The facility with the longest waitlist: the staff pages' worst case.
    busiest = (
        Facility.objects.filter(is_active=True, staff_memberships__isnull=False)
        .annotate(wish_count=Count("wishes"))
        .order_by("-wish_count")
        .first()
    )
    fixtures.facility_slug = fixtures.waitlist_slug = busiest.slug
    fixtures.near = f"{float(busiest.latitude):.4f}, {float(busiest.longitude):.4f}"
    fixtures.start = portal.next_year_start(today).isoformat()
    staff = StaffMembership.objects.filter(facility=busiest).select_related("user").first().user
    office = User.objects.get(email=OFFICE_EMAIL)
    parent_child = (
        Application.objects.values("child").annotate(n=Count("pk")).order_by("-n").values("child")[:1]
    )
    parent = Guardianship.objects.filter(child__in=parent_child).select_related("user").first().user
    fixtures.office_cookie = session_cookie(office)
    fixtures.staff_cookie = session_cookie(staff)
    fixtures.parent_cookie = session_cookie(parent)

    round_ = AllocationRound.objects.filter(status=AllocationRound.Status.COMPUTED).order_by("-pk").first()
    if round_ is None:
        print("computing an allocation round (once) ...")
        started = time.perf_counter()
        round_ = AllocationRound.objects.filter(status=AllocationRound.Status.DRAFT).first() or create_round(
            target_start_date=portal.next_year_start(today + __import__("datetime").timedelta(days=1)),
            by=SYSTEM,
        )
        compute_round(round=round_, by=SYSTEM)
        print(f"computed in {time.perf_counter() - started:.0f} s")
    fixtures.round_id = str(round_.public_id)
    prepare_mixes(fixtures)
    return fixtures


def prepare_mixes(fixtures: Fixtures) -> None:
    """Parents with a complete draft each (the review step submits it), staff of busy facilities.

    A parent's script: the dashboard, the draft, then the review step's POST, which submits
    it; a draft submitted before redirects to its page, a success too, but no submission.
    """
    from django.db.models import Count, Exists, OuterRef, Q
    from django.middleware.csrf import _get_new_csrf_string
    from django.urls import reverse

    from childcare.models import (
        Application,
        ApplicationStatus,
        Facility,
        Guardianship,
        StaffMembership,
        Wish,
        WishStatus,
    )
    from portal.models import User

    csrf = _get_new_csrf_string()
    # Some synthetic drafts wish for more care hours than a facility offers, or for a facility
    # that takes no applications: submitting them would only show the error again.
    unfit = Wish.objects.filter(application=OuterRef("pk"), status=WishStatus.ACTIVE).filter(
        Q(facility__accepts_applications=False)
        | Q(facility__max_care_hours__lt=OuterRef("care_hours_per_week"))
    )
    drafts = list(
        Application.objects.filter(status=ApplicationStatus.DRAFT)
        .exclude(Exists(unfit))
        .order_by("pk")[: PARENT_SCRIPTS * DRAFTS_PER_SCRIPT]
    )
    guardians = dict(
        Guardianship.objects.filter(child__in=[draft.child_id for draft in drafts])
        .order_by("-pk")  # the first guardian wins in the dict
        .values_list("child_id", "user")
    )
    users = User.objects.in_bulk(set(guardians.values()))
    dashboard = reverse("parents:application_list")
    steps = []
    for draft in drafts:
        cookie = session_cookie(users[guardians[draft.child_id]])
        steps += [
            Request(dashboard, cookie),
            Request(reverse("parents:application_detail", args=[draft.public_id]), cookie),
            Request(
                reverse("parents:application_step_review", args=[draft.public_id]),
                cookie,
                form={"consent": "on"},
                csrf=csrf,
            ),
        ]
    per_script = 3 * DRAFTS_PER_SCRIPT
    fixtures.parent_scripts = [steps[n : n + per_script] for n in range(0, len(steps), per_script)]
    fixtures.drafts = [draft.pk for draft in drafts]
    busy = (
        Facility.objects.filter(is_active=True, staff_memberships__isnull=False)
        .annotate(wish_count=Count("wishes"))
        .order_by("-wish_count")[:STAFF_SCRIPTS]
    )
    fixtures.staff_scripts = []
    for facility in busy:
        staff = StaffMembership.objects.filter(facility=facility).select_related("user").first().user
        cookie = session_cookie(staff)
        waitlist = Request(reverse("backoffice:waitlist", args=[facility.slug]), cookie)
        csv = Request(reverse("backoffice:waitlist_csv", args=[facility.slug]), cookie)
        fixtures.staff_scripts.append([waitlist, waitlist, csv])


class Page:
    def __init__(self, name: str, path: str, cookie: str | None = None):
        self.name, self.path, self.cookie = name, path, cookie


def page_list(f: Fixtures) -> list[Page]:
    from urllib.parse import urlencode

    from django.urls import reverse

    search = reverse("parents:facility_search")
    return [
        Page("search: no filter", search),
        Page(
            "search: age+start+free",
            search + "?" + urlencode({"age_years": 2, "start": f.start, "free_at_start": "on"}),
        ),
        Page("search: distance sort", search + "?" + urlencode({"near": f.near, "sort": "distance"})),
        Page("facility page", reverse("parents:facility_detail", args=[f.facility_slug])),
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
        response = client.get(page.path)
    if response.status_code != 200:
        sys.exit(f"{page.name}: {page.path} answered {response.status_code}")
    return len(captured)


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PeakSampler:
    """Samples the peak resident set (VmHWM) of a process's children once a second.

    Workers come and go (gunicorn recycles them after max_requests), so the peaks are read
    while the run goes on, not only at its end; a recycled worker's last sample stays counted.
    """

    def __init__(self, parent_pid: int):
        self.parent_pid, self.peaks, self.stopped = parent_pid, {}, threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopped.wait(1.0):
            self.sample()

    def sample(self) -> None:
        for pid in children_of(self.parent_pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), int(line.split()[1]) / 1024)

    def peak_rss_mib(self) -> list[float]:
        self.sample()
        return list(self.peaks.values())

    def stop(self) -> None:
        self.stopped.set()


def children_of(parent_pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The fourth field of /proc/PID/stat is the parent's pid (after "pid (name) state").
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent_pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


class _Service:
    """A server process started for the run, stopped (and its peaks sampled) at the end."""

    name = ""

    def __init__(self, command: list[str], environment: dict[str, str]):
        log = BASE_DIR / "var" / "bench" / f"{self.name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=environment,
            stdout=subprocess.DEVNULL,  # gunicorn's access log: one line per request
            stderr=self.log,
        )
        self.sampler = PeakSampler(self.process.pid)

    def peak_rss_mib(self) -> list[float]:
        return self.sampler.peak_rss_mib()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sampler.stop()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class gunicorn(_Service):  # noqa: N801 (used as a context manager)
    name = "gunicorn"

    def __init__(self, port: int, workers: int):
        environment = dict(os.environ, GUNICORN_BIND=f"127.0.0.1:{port}")
        if workers:
            environment["WEB_CONCURRENCY"] = str(workers)
        executable = str(Path(sys.executable).parent / "gunicorn")
        super().__init__([executable, "-c", "deploy/gunicorn.conf.py", "portal.wsgi"], environment)


class celery_worker(_Service):  # noqa: N801 (used as a context manager)
    """One Celery worker (one child process) on this run's broker: it delivers what submissions queue."""

    name = "celery"

    def __init__(self):
        executable = str(Path(sys.executable).parent / "celery")
        command = [executable, "-A", "portal", "worker", "--concurrency=1", "--loglevel=WARNING"]
        super().__init__(command, dict(os.environ))

    def peak_rss_mib(self) -> list[float]:
        """The worker's main process and its pool child."""
        peaks = self.sampler.peak_rss_mib()
        status = Path(f"/proc/{self.process.pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return peaks


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, ONE_QUERY_PATH)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not answer within 60 s; see var/bench/gunicorn.log")


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, float]:
    return load.send(port, Request(path, cookie))


# --- measuring ----------------------------------------------------------------------------------


def measure_page(port: int, page: Page, count: int, budget: float) -> dict:
    """``count`` requests, each followed by one of the one-query view; fewer once ``budget`` s passed."""
    for _ in range(3):  # warm both: the workers' connections, caches and imports
        get(port, page.path, page.cookie)
        get(port, ONE_QUERY_PATH)
    times, baseline, errors = [], [], 0
    deadline = time.monotonic() + budget
    for _ in range(count):
        if time.monotonic() > deadline and len(times) >= 10:
            break
        status, seconds = get(port, page.path, page.cookie)
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
    """The three mixes: what each virtual user replays (see bench/load.py)."""
    search = [[Request(page.path) for page in page_list(f)[:3]]]
    return [
        ("anonymous search mix", search),
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
