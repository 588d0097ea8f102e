"""A synthetic city at scale, for benchmarks and load tests: ``manage.py seed_scale``.

Districts around a centre, providers, facilities of every type with places per age band,
children already placed, and applications in every state with ranked wishes for nearby
facilities of a fitting type, families with siblings, one leader per facility and a
municipal office account. Everything comes from one seeded random generator, so the same
arguments on the same day give the same city.

The rows are written directly (see ``bulk``), not through the services: a city of 100,000
applications has no history to replay, and no message may go out for it. The invariants
the services keep hold all the same: a program never has more active placements plus open
offers than places, an application has at most one open offer, wish ranks run 1..n, an
offer or placement concerns a wish of a fitting age band, and points are computed by the
same pure function the services use (``priority.wish_points``).

Every synthetic row is recognisable (``SYNTHETIC_DOMAIN`` e-mails, ``synthetic-`` slugs,
``KP-SCALE`` references; a generated reference never contains an L), which lets
``flush_city`` remove exactly them and ``foreign_data`` tell whether anything else is there.

The builder's steps live by concept: ``scale_facilities`` (districts, facilities, places,
staff), ``scale_families`` (guardians, children, existing placements), ``scale_applications``
(applications, wishes, offers, events); ``scale_marks`` says how synthetic rows are recognised.
"""

import datetime
import math
import random
import uuid
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from childcare.demo.bulk import TableWriter
from childcare.demo.cascade import delete_cascading
from childcare.demo.scale_applications import ApplicationsMixin
from childcare.demo.scale_facilities import FacilitiesMixin
from childcare.demo.scale_families import FamiliesMixin, _Family
from childcare.demo.scale_marks import (  # noqa: F401 (the command, tests and benchmarks import them from here)
    OFFICE_EMAIL,
    PROVIDER_PREFIX,
    REFERENCE_PREFIX,
    SLUG_PREFIX,
    SYNTHETIC_DOMAIN,
    UNUSABLE_PASSWORD,
)
from childcare.facilities.availability import rebuild_availability
from childcare.models import (
    Application,
    Child,
    Facility,
    Guardianship,
    Placement,
    PriorityPolicy,
    Provider,
)
from portal.models import PortalSettings, User


def foreign_data() -> list[str]:
    """What the database holds that no synthetic city wrote, as short descriptions (empty if nothing)."""
    found = []
    if Facility.objects.exclude(slug__startswith=SLUG_PREFIX).exists():
        found.append("facilities")
    if User.objects.exclude(email__endswith=f"@{SYNTHETIC_DOMAIN}").exists():
        found.append("user accounts")
    if Application.objects.exclude(reference__startswith=REFERENCE_PREFIX).exists():
        found.append("applications")
    return found


def city_exists() -> bool:
    return Facility.objects.filter(slug__startswith=SLUG_PREFIX).exists()


def flush_city() -> dict[str, int]:
    """Delete every synthetic row, and whatever running the portal on them added (cascades).

    Set-based (``cascade.delete_cascading``): a few statements per table, not a row at a time.
    Returns the rows removed per table.
    """
    users = User.objects.filter(email__endswith=f"@{SYNTHETIC_DOMAIN}")
    with transaction.atomic():
        return delete_cascading(
            [
                Placement.objects.filter(child__guardianships__user__in=users),
                Application.objects.filter(reference__startswith=REFERENCE_PREFIX),
                Child.objects.filter(guardianships__user__in=users),
                Facility.objects.filter(slug__startswith=SLUG_PREFIX),
                Provider.objects.filter(name__startswith=PROVIDER_PREFIX),
                users,
            ]
        )


def build_city(
    *,
    facilities: int,
    applications: int,
    wishes: int = 5,
    seed: int = 2026,
    today: datetime.date | None = None,
) -> dict[str, int]:
    """Write a synthetic city in one transaction; returns the number of rows per kind."""
    with transaction.atomic():
        counts = _CityBuilder(seed=seed, today=today or timezone.localdate()).build(
            facility_count=facilities, application_count=applications, max_wishes=wishes
        )
        rebuild_availability()  # the rows above are written in bulk, past the transitions
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh planner statistics, or the first benchmarks plan blind; outside a transaction
            # also the visibility map, as autovacuum leaves a table some time after a bulk load,
            # so that index-only scans (a waitlist, for one) read no table pages.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    return counts


class _CityBuilder(FacilitiesMixin, FamiliesMixin, ApplicationsMixin):
    """Writes the city; each concept's steps live in its own module (scale_facilities, ...)."""

    def __init__(self, *, seed: int, today: datetime.date):
        self.rng = random.Random(seed)
        self.today = today
        self.now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
        self.portal = PortalSettings.load()
        self.policy = PriorityPolicy.load().as_points_policy()
        self.calendar = self.portal.school_calendar
        self.year_start = self.portal.next_year_start(today + datetime.timedelta(days=1))
        self.places: dict[tuple[int, str], int] = {}
        self.taken: Counter = Counter()  # active placements + open offers per program
        self.families: list[_Family] = []
        self.counts: Counter = Counter()

    # -- helpers -------------------------------------------------------------------------------

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _pick(self, shares: dict):
        return self.rng.choices(list(shares), weights=list(shares.values()))[0]

    def _ago(self, days_low: float, days_high: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=self.rng.uniform(days_low, days_high))

    def _at(self, day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))

    def _near(self, position: tuple[float, float], km: float) -> tuple[float, float]:
        lat = position[0] + self.rng.gauss(0, km / 111)
        lon = position[1] + self.rng.gauss(0, km / (111 * math.cos(math.radians(position[0]))))
        return lat, lon

    # -- the city ------------------------------------------------------------------------------

    def build(self, *, facility_count: int, application_count: int, max_wishes: int) -> dict[str, int]:
        self.users = TableWriter(
            User,
            ["password", "email", "first_name", "last_name", "language", "is_staff", "is_municipal_office",
             "date_joined"],
        )  # fmt: skip
        self.children = TableWriter(
            Child,
            ["public_id", "first_name", "last_name", "birth_date", "birth_date_is_expected", "created_at"],
        )
        self.guardianships = TableWriter(Guardianship, ["user", "child", "created_at"])
        self.placements = TableWriter(
            Placement,
            ["public_id", "child", "facility", "age_band", "start_date", "end_date", "care_hours_per_week",
             "source_offer", "status", "created_at"],
        )  # fmt: skip
        districts = self._districts(facility_count)
        facilities = self._facilities(facility_count, districts)
        self._staff(facilities)
        self._placed_children(facilities, districts)
        self._applications(application_count, max_wishes, facilities, districts)
        self.counts["users"] = self.users.write()
        self.counts["children"] = self.children.write()
        self.counts["guardianships"] = self.guardianships.write()
        self._write_emails()
        self.counts["placements"] = self.placements.write()
        self.counts["applications"] = self.applications.write()
        self.counts["wishes"] = self.wishes.write()
        self.counts["offers"] = self.offers.write()
        self.counts["events"] = self.events.write()
        self.counts["places"] = sum(self.places.values())
        return {str(key): value for key, value in self.counts.items()}
