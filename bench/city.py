"""The benchmark's city: its database, production settings, the seeded city and the people in it.

``prepare`` picks the facility, the waitlist, the round and the signed-in office, staff and
parent whose pages bench/pages.py measures; ``prepare_mixes`` the scripts of the load test.
"""

import secrets
import time
from pathlib import Path

from load import Request

BASE_DIR = Path(__file__).resolve().parent.parent


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


def seed_demo_town() -> "Fixtures":
    """The demo town (``seed_demo``, as ``make run`` shows it) and what its search pages ask."""
    from django.conf import settings
    from django.utils import timezone

    from childcare.demo.seeding import seed_demo
    from childcare.models import Facility
    from portal.models import PortalSettings

    if not Facility.objects.exists():
        debug, settings.DEBUG = settings.DEBUG, True  # seed_demo's own guard; this database is the bench's
        try:
            seed_demo()
        finally:
            settings.DEBUG = debug
    fixtures = Fixtures()
    first = Facility.objects.filter(is_active=True).order_by("pk").first()
    fixtures.near = f"{float(first.latitude):.4f}, {float(first.longitude):.4f}"
    fixtures.start = PortalSettings.load().next_year_start(timezone.localdate()).isoformat()
    fixtures.facility_slug = fixtures.waitlist_slug = first.slug
    fixtures.round_id = "00000000-0000-0000-0000-000000000000"
    fixtures.office_cookie = fixtures.staff_cookie = fixtures.parent_cookie = ""
    return fixtures


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
    client.force_login(user, backend="portal.auth_backends.PasswordBackend")
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
