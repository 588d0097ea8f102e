"""Page timings at city scale, each beside a one-query view, and a load test of the search.

    DATABASE_URL=postgres://root@127.0.0.1:5432/postgres CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/pages.py          # or: make bench

Uses its own database ``kitaportal_bench`` on the server DATABASE_URL names (created and seeded
with ``seed_scale`` when it has no facilities yet; kept for the next run), starts gunicorn with the
production settings (DEBUG=false, a generated SECRET_KEY, the Redis cache) on a free loopback
port and measures every page over keep-alive-free HTTP, interleaved with ``/health/ping`` (one
SELECT), so both see the same machine load. The SQL query count of each page comes from an
in-process test client with ``CaptureQueriesContext``. Then a load test of the anonymous search
mix at 25 and 100 concurrent connections, beside the one-query view's throughput, and a check
that gunicorn's workers keep their database connections (no new connection per request).
"""

import argparse
import http.client
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
sys.path.insert(0, str(BASE_DIR))
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
        "--database", default=BENCH_DATABASE, help="database on DATABASE_URL's server (seeded when empty)"
    )
    options = parser.parse_args()

    server, broker = os.environ.get("DATABASE_URL", ""), os.environ.get("CELERY_BROKER_URL", "")
    if not server.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL, e.g. postgres://root@127.0.0.1:5432/postgres")
    if not broker.startswith("redis"):
        sys.exit("CELERY_BROKER_URL must point at Redis, e.g. redis://127.0.0.1:6379/0")
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

    port = free_port()
    with gunicorn(port, options.workers) as _server:
        wait_until_up(port)
        print(f"\nPages, {options.requests} requests each, interleaved with {ONE_QUERY_PATH} (one SELECT)\n")
        rows = []
        for page in pages:
            row = measure_page(port, page, options.requests)
            row["queries"] = queries[page.name]
            rows.append(row)
            print_row(row)
        print_table(rows)
        if options.load_seconds > 0 and options.concurrency:
            load_test(port, fixtures, options)


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
    return fixtures


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


class gunicorn:  # noqa: N801 (used as a context manager)
    def __init__(self, port: int, workers: int):
        environment = dict(os.environ, GUNICORN_BIND=f"127.0.0.1:{port}")
        if workers:
            environment["WEB_CONCURRENCY"] = str(workers)
        log = BASE_DIR / "var" / "bench" / "gunicorn.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "portal.wsgi"],
            cwd=BASE_DIR,
            env=environment,
            stdout=subprocess.DEVNULL,  # the access log: one line per request
            stderr=self.log,
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


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


def get(port: int, path: str, cookie: str | None = None, timeout: float = 60) -> tuple[int, float]:
    """One request on a new connection (gunicorn's sync workers close after each); status, seconds."""
    headers = {"Host": "127.0.0.1", "Accept-Language": "de"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


# --- measuring ----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_page(port: int, page: Page, count: int) -> dict:
    for _ in range(3):  # warm both: the workers' connections, caches and imports
        get(port, page.path, page.cookie)
        get(port, ONE_QUERY_PATH)
    times, baseline, errors = [], [], 0
    for _ in range(count):
        status, seconds = get(port, page.path, page.cookie)
        errors += status != 200
        times.append(seconds)
        baseline.append(get(port, ONE_QUERY_PATH)[1])
    median, one = statistics.median(times), statistics.median(baseline)
    return {
        "name": page.name,
        "median": median,
        "p95": percentile(times, 0.95),
        "one_query": one,
        "ratio": median / one,
        "errors": errors,
    }


def print_row(row: dict) -> None:
    print(f"  measured {row['name']}: {row['median'] * 1000:.1f} ms", flush=True)


TABLE = "{:<26} {:>10} {:>9} {:>8} {:>11} {:>7} {:>7}"


def print_table(rows: list[dict]) -> None:
    print()
    print(TABLE.format("page", "median ms", "p95 ms", "queries", "1-query ms", "ratio", "errors"))
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
            )
        )


def search_mix(f: Fixtures) -> list[str]:
    return [page.path for page in page_list(f)[:3]]


def run_load(port: int, paths: list[str], concurrency: int, seconds: float) -> dict:
    """``concurrency`` threads each request in a loop for ``seconds``, cycling through ``paths``."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(offset: int) -> None:
        index = offset
        mine, failed = [], 0
        while time.monotonic() < deadline:
            try:
                status, elapsed = get(port, paths[index % len(paths)], timeout=30)
                if status == 200:
                    mine.append(elapsed)
                else:
                    failed += 1
            except OSError:
                failed += 1
            index += 1
        with lock:
            times.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "rps": len(times) / elapsed,
        "p50": percentile(times, 0.50) if times else 0,
        "p95": percentile(times, 0.95) if times else 0,
        "p99": percentile(times, 0.99) if times else 0,
        "ok": len(times),
        "errors": errors[0],
    }


def database_backends() -> set[tuple[int, object]]:
    """The bench database's server processes other than this one: (pid, start time)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return set(cursor.fetchall())


LOAD = "{:<26} {:>5} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>9}"


def load_test(port: int, fixtures: Fixtures, options) -> None:
    """Each run also compares the database's server processes before and after: with persistent
    connections every worker keeps its one (gunicorn's max_requests recycling aside)."""
    print(f"\nLoad test: {options.load_seconds:.0f} s per run, a new TCP connection per request\n")
    print(LOAD.format("run", "conc", "req/s", "p50 ms", "p95 ms", "p99 ms", "ok", "errors", "new conns"))
    runs = (("search mix (3 variants)", search_mix(fixtures)), ("one-query view", [ONE_QUERY_PATH]))
    for concurrency in options.concurrency:
        for name, paths in runs:
            run_load(port, paths, 10, 1.0)  # warm every worker
            before = database_backends()
            result = run_load(port, paths, concurrency, options.load_seconds)
            opened = len(database_backends() - before)
            print(
                LOAD.format(
                    name,
                    concurrency,
                    f"{result['rps']:.1f}",
                    f"{result['p50'] * 1000:.1f}",
                    f"{result['p95'] * 1000:.1f}",
                    f"{result['p99'] * 1000:.1f}",
                    result["ok"],
                    result["errors"],
                    opened,
                ),
                flush=True,
            )
    print(
        "new conns: database connections opened during the run; persistent connections make it 0, or at"
        " most one per worker once DATABASE_CONN_MAX_AGE (60 s in production) has passed"
    )


if __name__ == "__main__":
    main()
