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
"""

import datetime
import math
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db import connection, transaction
from django.utils import timezone

from childcare.admissions.priority import WishFacts, wish_points
from childcare.age import age_band_on, school_entry_date
from childcare.demo.bulk import TableWriter
from childcare.demo.cascade import delete_cascading
from childcare.models import (
    ActorKind,
    AgeBand,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Capacity,
    Child,
    EventKind,
    Facility,
    FacilityConcept,
    FacilityLanguage,
    FacilityType,
    Guardianship,
    Language,
    Meals,
    Offer,
    OfferStatus,
    Placement,
    PriorityPolicy,
    Provider,
    ProviderKind,
    StaffMembership,
    StaffRole,
    Wish,
    WishStatus,
)
from childcare.models import Concept as ConceptChoice
from portal.models import PortalSettings, User

SYNTHETIC_DOMAIN = "synthetic.kita-portal.invalid"
SLUG_PREFIX = "synthetic-"
REFERENCE_PREFIX = "KP-SCALE"
PROVIDER_PREFIX = "Synthetischer Träger"
OFFICE_EMAIL = f"fachbereich@{SYNTHETIC_DOMAIN}"
CITY = "Musterstadt"
CENTRE = (50.05, 8.69)
# An unusable password hash: nobody signs in with a synthetic account unless an operator sets one.
UNUSABLE_PASSWORD = "!synthetic-city"

# Share of facilities per type, and the places per age band a facility of that type has (low, high).
TYPES = {
    FacilityType.KITA: (0.45, {AgeBand.UNDER_THREE: (12, 36), AgeBand.THREE_TO_SCHOOL: (35, 85)}),
    FacilityType.KRIPPE: (0.15, {AgeBand.UNDER_THREE: (10, 40)}),
    FacilityType.KINDERGARTEN: (0.15, {AgeBand.THREE_TO_SCHOOL: (40, 90)}),
    FacilityType.HORT: (0.10, {AgeBand.SCHOOL: (20, 60)}),
    FacilityType.CHILDMINDER: (0.15, {AgeBand.UNDER_THREE: (5, 5)}),
}
# Existing placements fill each program to this share of its places (uniform between the two).
OCCUPANCY = (0.28, 0.74)
STATUS_SHARES = {
    ApplicationStatus.DRAFT: 0.04,
    ApplicationStatus.SUBMITTED: 0.10,
    ApplicationStatus.WAITING: 0.66,
    ApplicationStatus.OFFERED: 0.05,
    ApplicationStatus.PLACED: 0.08,
    ApplicationStatus.WITHDRAWN: 0.03,
    ApplicationStatus.EXPIRED: 0.02,
    ApplicationStatus.CLOSED: 0.02,
}
# The age band an application is for: most families look for a first place under three.
BAND_SHARES = {AgeBand.UNDER_THREE: 0.55, AgeBand.THREE_TO_SCHOOL: 0.37, AgeBand.SCHOOL: 0.08}
REJECTION_REASON = "Kein Platz in der gewünschten Gruppe (synthetisch)"
CANDIDATES = 25  # nearest facilities of a band a family chooses its wishes from
GRID = 40  # cells per side for the nearest-facility lookup

DISTRICT_NAMES = [
    "Altstadt", "Nordend", "Südstadt", "Westend", "Ostpark", "Am Hang", "Rosenau", "Bahnhofsviertel",
    "Lindenhof", "Mühlbach", "Kirchberg", "Seeufer", "Waldsiedlung", "Neue Mitte", "Feldrain", "Auwiesen",
]  # fmt: skip
FACILITY_WORDS = [
    "Sonnenblume", "Regenbogen", "Pusteblume", "Löwenzahn", "Wichtelhaus", "Sternschnuppe", "Kunterbunt",
    "Arche", "Spatzennest", "Zauberwald", "Villa Kunterbunt", "Schatzkiste", "Marienkäfer", "Abenteuerland",
]  # fmt: skip
STREETS = [
    "Hauptstraße", "Gartenweg", "Schulstraße", "Lindenallee", "Bergstraße", "Mühlweg", "Am Markt",
    "Ringstraße",
]  # fmt: skip
FIRST_NAMES = [
    "Mia", "Emil", "Lina", "Noah", "Emma", "Paul", "Hannah", "Ben", "Lea", "Elias", "Sofia", "Finn", "Ella",
    "Leon", "Amira", "Yusuf", "Zoe", "Mateo", "Ida", "Milan", "Lara", "Aylin", "Jonas", "Nora",
]  # fmt: skip
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Koch", "Richter", "Klein", "Wolf", "Yilmaz", "Kaya", "Nowak", "Kowalski", "Popescu", "Rossi",
]  # fmt: skip
TYPE_WORDS = {
    FacilityType.KITA: "Kita",
    FacilityType.KRIPPE: "Krippe",
    FacilityType.KINDERGARTEN: "Kindergarten",
    FacilityType.HORT: "Hort",
    FacilityType.CHILDMINDER: "Tagespflege",
}


@dataclass
class _Family:
    guardians: list[int]
    position: tuple[float, float]
    last_name: str
    children: list[int] = field(default_factory=list)
    placed_at: set[int] = field(default_factory=set)  # facility ids where a child of the family is placed


@dataclass
class _FacilityInfo:
    id: int
    position: tuple[float, float]
    popularity: float
    max_care_hours: int


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
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics, or the first benchmarks plan blind
    return counts


class _CityBuilder:
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

    def _districts(self, facility_count: int) -> list[tuple[str, str, tuple[float, float]]]:
        """(name, postcode, centre) on a sunflower spiral around the town centre, ~10 km across."""
        count = max(3, min(40, round(facility_count / 100)))
        golden = math.pi * (3 - math.sqrt(5))
        result = []
        for i in range(count):
            radius_km = 6 * math.sqrt((i + 0.5) / count)
            lat = CENTRE[0] + radius_km * math.cos(i * golden) / 111
            lon = CENTRE[1] + radius_km * math.sin(i * golden) / (111 * math.cos(math.radians(CENTRE[0])))
            base = DISTRICT_NAMES[i % len(DISTRICT_NAMES)]
            name = base if i < len(DISTRICT_NAMES) else f"{base} {i // len(DISTRICT_NAMES) + 1}"
            result.append((name, f"63{i:03d}", (lat, lon)))
        return result

    def _facilities(self, count: int, districts) -> list[_FacilityInfo]:
        rng = self.rng
        provider_kinds = list(ProviderKind.values)
        providers = Provider.objects.bulk_create(
            Provider(name=f"{PROVIDER_PREFIX} {i:04d}", kind=provider_kinds[i % len(provider_kinds)])
            for i in range(max(5, count // 25))
        )
        types = list(TYPES)
        facility_rows, programs, infos = [], [], []
        for i in range(count):
            # One of each type first, so even a small city has every type.
            facility_type = (
                types[i] if i < len(types) else rng.choices(types, [TYPES[t][0] for t in types])[0]
            )
            name, postcode, centre = rng.choice(districts)
            position = self._near(centre, 0.9)
            opens = datetime.time(rng.choice((6, 7, 7, 8)), rng.choice((0, 30)))
            closes = datetime.time(rng.choice((14, 15, 16, 17, 17, 18)), rng.choice((0, 30)))
            max_hours = rng.choice((25, 35, 45, 45))
            slug = f"{SLUG_PREFIX}{i + 1:05d}"
            facility_rows.append(
                Facility(
                    provider=rng.choice(providers),
                    type=facility_type,
                    name=f"{TYPE_WORDS[facility_type]} {rng.choice(FACILITY_WORDS)} {i + 1}",
                    slug=slug,
                    street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
                    postcode=postcode,
                    city=CITY,
                    district=name,
                    latitude=Decimal(f"{position[0]:.6f}"),
                    longitude=Decimal(f"{position[1]:.6f}"),
                    opens_at=opens,
                    closes_at=closes,
                    max_care_hours=max_hours,
                    meals=rng.choice(Meals.values),
                    barrier_free=rng.random() < 0.3,
                    email=f"{slug}@{SYNTHETIC_DOMAIN}",
                    accepts_applications=rng.random() < 0.97,
                    offers_automatically=rng.random() < 0.2,
                )
            )
            programs.append({band: rng.randint(*limits) for band, limits in TYPES[facility_type][1].items()})
            infos.append(_FacilityInfo(0, position, rng.lognormvariate(0, 0.8), max_hours))
        created = Facility.objects.bulk_create(facility_rows, batch_size=1000)
        concepts, languages, capacities = [], [], []
        other_languages = [code for code in Language.values if code != Language.GERMAN]
        for facility, info, bands in zip(created, infos, programs, strict=True):
            info.id = facility.pk
            concepts += [
                FacilityConcept(facility=facility, concept=c)
                for c in rng.sample(ConceptChoice.values, rng.randint(1, 3))
            ]
            languages += [
                FacilityLanguage(facility=facility, language=lg)
                for lg in [Language.GERMAN, *rng.sample(other_languages, rng.choice((0, 0, 1, 2)))]
            ]
            for band, places in bands.items():
                capacities.append(Capacity(facility=facility, age_band=band, places=places))
                self.places[facility.pk, band] = places
        FacilityConcept.objects.bulk_create(concepts, batch_size=5000)
        FacilityLanguage.objects.bulk_create(languages, batch_size=5000)
        Capacity.objects.bulk_create(capacities, batch_size=5000)
        self.counts.update(providers=len(providers), facilities=len(created), capacities=len(capacities))
        return infos

    def _staff(self, facilities: list[_FacilityInfo]) -> None:
        """The municipal office and one leader per facility, who may sign in once given a password."""
        self.office_id = self.users.add(
            UNUSABLE_PASSWORD, OFFICE_EMAIL, "Fachbereich", "Kinderbetreuung", "de", True, True, self.now
        )
        self.leaders = {}
        self.staff_emails = [(self.office_id, OFFICE_EMAIL)]
        for number, info in enumerate(facilities, start=1):
            email = f"leitung.{SLUG_PREFIX}{number:05d}@{SYNTHETIC_DOMAIN}"
            user_id = self.users.add(
                UNUSABLE_PASSWORD, email, "Leitung", str(number), "de", False, False, self.now
            )
            self.leaders[info.id] = user_id
            self.staff_emails.append((user_id, email))

    def _write_emails(self) -> None:
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=pk, email=email, verified=True, primary=True)
                for pk, email in self.staff_emails
            ],
            batch_size=5000,
        )
        StaffMembership.objects.bulk_create(
            [
                StaffMembership(user_id=user_id, facility_id=facility_id, role=StaffRole.LEADER)
                for facility_id, user_id in self.leaders.items()
            ],
            batch_size=5000,
        )
        self.counts["staff memberships"] = len(self.leaders)

    def _new_family(self, districts) -> _Family:
        rng = self.rng
        last_name = rng.choice(LAST_NAMES)
        language = "en" if rng.random() < 0.15 else "de"
        guardians = []
        for _ in range(2 if rng.random() < 0.35 else 1):
            number = self.users.next_id
            guardians.append(
                self.users.add(
                    UNUSABLE_PASSWORD,
                    f"eltern.{number:07d}@{SYNTHETIC_DOMAIN}",
                    rng.choice(FIRST_NAMES),
                    last_name,
                    language,
                    False,
                    False,
                    self._ago(30, 900),
                )
            )
        family = _Family(guardians, self._near(rng.choice(districts)[2], 0.9), last_name)
        self.families.append(family)
        return family

    def _child(self, family: _Family, birth_date: datetime.date, created_at: datetime.datetime) -> int:
        child_id = self.children.add(
            self._uuid(),
            self.rng.choice(FIRST_NAMES),
            family.last_name,
            birth_date,
            birth_date > self.today,
            created_at,
        )
        for guardian in family.guardians:
            self.guardianships.add(guardian, child_id, created_at)
        family.children.append(child_id)
        return child_id

    def _placed_children(self, facilities: list[_FacilityInfo], districts) -> None:
        """Children already in care: each program filled to a share of its places."""
        rng, today = self.rng, self.today
        # Age in days today for a child in each band (Ü3 and school age checked against the calendar).
        ages = {
            AgeBand.UNDER_THREE: (380, 1070),
            AgeBand.THREE_TO_SCHOOL: (1110, 2150),
            AgeBand.SCHOOL: (2300, 3600),
        }
        by_id = {info.id: info for info in facilities}
        for (facility_id, band), places in self.places.items():
            for _ in range(int(places * rng.uniform(*OCCUPANCY))):
                birth = today - datetime.timedelta(days=rng.randint(*ages[band]))
                if age_band_on(birth, today, **self.calendar) != band:
                    continue
                # Mostly own families; some share a family with a child placed earlier: siblings.
                family = rng.choice(self.families) if self.families and rng.random() < 0.1 else None
                family = family or self._new_family(districts)
                start = max(
                    birth + datetime.timedelta(days=365),
                    today - datetime.timedelta(days=rng.randint(30, 1100)),
                )
                if start >= today:
                    start = today - datetime.timedelta(days=7)
                end = self._end_of_care(birth, band)
                child_id = self._child(family, birth, self._at(start - datetime.timedelta(days=60)))
                self.placements.add(
                    self._uuid(), child_id, facility_id, band, start, end,
                    min(rng.choice((25, 35, 45)), by_id[facility_id].max_care_hours), None,
                    "active", self._at(start),
                )  # fmt: skip
                family.placed_at.add(facility_id)
                self.taken[facility_id, band] += 1

    def _end_of_care(self, birth: datetime.date, band: str) -> datetime.date | None:
        """When the place ends: U3 at the year start after the third birthday, Ü3 at school entry."""
        if band == AgeBand.UNDER_THREE:
            third = (
                birth.replace(year=birth.year + 3)
                if (birth.month, birth.day) != (2, 29)
                else birth + datetime.timedelta(days=1096)
            )
            return self.portal.next_year_start(third)
        if band == AgeBand.THREE_TO_SCHOOL:
            return school_entry_date(birth, entry=self.calendar["entry"], cutoff=self.calendar["cutoff"])
        return None

    # -- applications --------------------------------------------------------------------------

    def _nearest(self, facilities: list[_FacilityInfo]):
        """For a position, the nearest facilities with places in a band: a grid of precomputed lists."""
        lats = [f.position[0] for f in facilities]
        lons = [f.position[1] for f in facilities]
        box = (min(lats), max(lats) + 1e-9, min(lons), max(lons) + 1e-9)
        by_band = defaultdict(list)
        for info in facilities:
            for band in AgeBand.values:
                if (info.id, band) in self.places:
                    by_band[band].append(info)
        cache = {}

        def lookup(position, band):
            cell = (
                min(GRID - 1, max(0, int((position[0] - box[0]) / (box[1] - box[0]) * GRID))),
                min(GRID - 1, max(0, int((position[1] - box[2]) / (box[3] - box[2]) * GRID))),
                band,
            )
            if cell not in cache:
                centre = (
                    box[0] + (cell[0] + 0.5) * (box[1] - box[0]) / GRID,
                    box[2] + (cell[1] + 0.5) * (box[3] - box[2]) / GRID,
                )
                scale = math.cos(math.radians(centre[0]))
                cache[cell] = sorted(
                    by_band[band],
                    key=lambda f: (
                        (f.position[0] - centre[0]) ** 2 + ((f.position[1] - centre[1]) * scale) ** 2
                    ),
                )[:CANDIDATES]
            return cache[cell]

        return lookup

    def _applications(self, count: int, max_wishes: int, facilities: list[_FacilityInfo], districts) -> None:
        self.applications = TableWriter(
            Application,
            ["public_id", "reference", "child", "created_by", "desired_start_date", "care_hours_per_week",
             "resides_in_municipality", "guardians_working_or_training", "single_parent", "hardship_referral",
             "integration_need", "consent_data_processing", "status", "lottery_number", "submitted_at",
             "last_confirmed_at", "created_at", "updated_at"],
        )  # fmt: skip
        self.wishes = TableWriter(
            Wish,
            ["application", "facility", "rank", "age_band", "status", "points", "points_explanation",
             "sibling_at_facility", "rejection_reason", "updated_at"],
        )  # fmt: skip
        self.offers = TableWriter(
            Offer,
            ["public_id", "application", "wish", "start_date", "expires_at", "status", "created_by",
             "created_at", "decided_at"],
        )  # fmt: skip
        self.events = TableWriter(
            ApplicationEvent,
            ["application", "wish", "actor", "actor_kind", "kind", "from_status", "to_status", "created_at"],
        )
        nearest = self._nearest(facilities)
        placed_families = list(self.families)
        for number in range(1, count + 1):
            self._application(number, max_wishes, nearest, placed_families, districts)

    def _application(self, number: int, max_wishes: int, nearest, placed_families, districts) -> None:
        rng = self.rng
        status = self._pick(STATUS_SHARES)
        family = rng.choice(placed_families) if placed_families and rng.random() < 0.3 else None
        family = family or self._new_family(districts)
        candidates = []
        while not candidates:  # a small city may lack a band (no Hort): draw again
            band = self._pick(BAND_SHARES)
            start = self.year_start
            if rng.random() < 0.25:
                start = (self.today + datetime.timedelta(days=rng.randint(30, 400))).replace(day=1)
            birth = self._birth_date(band, start)
            band = age_band_on(birth, start, **self.calendar)
            candidates = nearest(family.position, band)
        submitted_at = None if status == ApplicationStatus.DRAFT else self._ago(1, 900)
        created_at = (submitted_at or self.now) - datetime.timedelta(days=rng.uniform(0.1, 30))
        child_id = self._child(family, birth, created_at)
        chosen = self._choose_wishes(candidates, family, max_wishes)
        single = len(family.guardians) == 1 and rng.random() < 0.6
        answers = {
            "resides_in_municipality": rng.random() < 0.92,
            "guardians_working_or_training": min(len(family.guardians), rng.choice((0, 1, 1, 2, 2, 2))),
            "single_parent": single,
            "hardship_referral": rng.random() < 0.03,
        }
        care_hours = min(rng.choice((25, 35, 35, 45)), max(info.max_care_hours for info in chosen))
        confirmed = None
        if submitted_at is not None:
            confirmed = max(submitted_at, self._ago(0, 150))
        status, pick = self._settle(status, band, chosen)
        application_id = self.applications.add(
            self._uuid(), f"{REFERENCE_PREFIX}{number:07d}", child_id, family.guardians[0], start, care_hours,
            answers["resides_in_municipality"], answers["guardians_working_or_training"], single,
            answers["hardship_referral"], rng.random() < 0.04, submitted_at is not None, status,
            rng.randint(1, 2**31 - 1), submitted_at, confirmed, created_at,
            max(created_at, confirmed or created_at),
        )  # fmt: skip
        facts = WishFacts(
            sibling_at_facility=False,
            birth_date=birth,
            start_date=start,
            submitted_on=timezone.localdate(submitted_at) if submitted_at else None,
            **answers,
        )
        wish_ids, wish_statuses = [], []
        for rank, info in enumerate(chosen, start=1):
            sibling = info.id in family.placed_at
            points, explanation = wish_points(
                self.policy, replace(facts, sibling_at_facility=sibling), today=self.today
            )
            wish_status, reason = self._wish_status(status, rank - 1 == pick, rank, len(chosen))
            wish_statuses.append(wish_status)
            wish_ids.append(
                self.wishes.add(
                    application_id,
                    info.id,
                    rank,
                    band,
                    wish_status,
                    points,
                    explanation,
                    sibling,
                    reason,
                    self.now,
                )
            )
        self._story(
            _Story(
                application_id, child_id, status, family.guardians[0], created_at, submitted_at, band, start,
                min(care_hours, chosen[pick].max_care_hours) if pick is not None else care_hours,
            ),
            chosen, wish_ids, wish_statuses, pick,
        )  # fmt: skip
        if pick is not None and status == ApplicationStatus.PLACED:
            family.placed_at.add(chosen[pick].id)

    def _birth_date(self, band: str, start: datetime.date) -> datetime.date:
        """A birth date that puts the child in ``band`` at ``start`` (a few not born yet)."""
        days = {
            AgeBand.UNDER_THREE: (200, 1060),
            AgeBand.THREE_TO_SCHOOL: (1100, 1900),
            AgeBand.SCHOOL: (2300, 3300),
        }
        return start - datetime.timedelta(days=self.rng.randint(*days[band]))

    def _choose_wishes(
        self, candidates: list[_FacilityInfo], family: _Family, max_wishes: int
    ) -> list[_FacilityInfo]:
        """Up to ``max_wishes`` nearby facilities, popular and near ones likelier; a sibling's first."""
        rng = self.rng
        wanted = min(
            len(candidates), rng.choices(range(1, max_wishes + 1), weights=range(1, max_wishes + 1))[0]
        )
        pool = list(candidates)
        weights = [f.popularity / (1 + 0.3 * distance_rank) for distance_rank, f in enumerate(pool)]
        chosen = []
        for info in pool:
            if info.id in family.placed_at and rng.random() < 0.7:
                chosen.append(info)
                break
        while len(chosen) < wanted:
            info = rng.choices(pool, weights=weights)[0]
            if info not in chosen:
                chosen.append(info)
        return chosen

    def _settle(self, status: str, band: str, chosen: list[_FacilityInfo]) -> tuple[str, int | None]:
        """For an offered or placed application, the wish (index) that holds a place.

        Only a program with room may hold it; without one the application waits instead, so
        placements plus open offers never exceed a program's places.
        """
        if status not in (ApplicationStatus.OFFERED, ApplicationStatus.PLACED):
            return status, None
        for index, info in enumerate(chosen):
            key = (info.id, band)
            if self.taken[key] < self.places[key]:
                self.taken[key] += 1
                return status, index
        return ApplicationStatus.WAITING, None

    def _wish_status(self, status: str, picked: bool, rank: int, wishes: int) -> tuple[str, str]:
        if status == ApplicationStatus.OFFERED:
            return (WishStatus.OFFERED if picked else WishStatus.ACTIVE), ""
        if status == ApplicationStatus.PLACED:
            return (WishStatus.ACCEPTED if picked else WishStatus.INACTIVE), ""
        if status == ApplicationStatus.WITHDRAWN:
            return WishStatus.WITHDRAWN, ""
        if status == ApplicationStatus.CLOSED:
            return WishStatus.REJECTED, REJECTION_REASON
        # Some waiting families declined or let expire an offer for their favourite and wait for the rest.
        if status == ApplicationStatus.WAITING and rank == 1 and wishes > 1 and self.rng.random() < 0.05:
            return self.rng.choice((WishStatus.DECLINED, WishStatus.EXPIRED)), ""
        if status == ApplicationStatus.WAITING and rank > 1 and self.rng.random() < 0.02:
            return WishStatus.REJECTED, REJECTION_REASON
        return WishStatus.ACTIVE, ""

    def _story(
        self,
        story: "_Story",
        chosen: list[_FacilityInfo],
        wish_ids: list[int],
        wish_statuses: list[str],
        pick,
    ) -> None:
        """Offers, the placement and the timeline events that led to the application's status."""
        rng, add_event, add_offer = self.rng, self.events.add, self.offers.add
        app, parent, window = (
            story.application_id,
            story.parent,
            datetime.timedelta(days=self.portal.offer_window_days),
        )
        add_event(app, None, parent, ActorKind.FAMILY, EventKind.CREATED, "", "draft", story.created_at)
        if story.submitted_at is None:
            return
        add_event(
            app, None, parent, ActorKind.FAMILY, EventKind.SUBMITTED, "draft", "submitted", story.submitted_at
        )
        if pick is not None:
            facility_id, wish_id = chosen[pick].id, wish_ids[pick]
            leader = self.leaders[facility_id]
            if story.status == ApplicationStatus.OFFERED:
                made = self._ago(0.5, self.portal.offer_window_days - 0.5)
                add_offer(
                    self._uuid(),
                    app,
                    wish_id,
                    story.start,
                    made + window,
                    OfferStatus.OPEN,
                    leader,
                    made,
                    None,
                )
                add_event(
                    app, wish_id, leader, ActorKind.FACILITY, EventKind.OFFER_MADE, "waiting", "offered", made
                )
                return
            made = max(story.submitted_at, self._ago(20, 200))
            decided = made + datetime.timedelta(days=rng.uniform(0.5, 10))
            offer_id = add_offer(
                self._uuid(),
                app,
                wish_id,
                story.start,
                made + window,
                OfferStatus.ACCEPTED,
                leader,
                made,
                decided,
            )
            self.placements.add(
                self._uuid(), story.child_id, facility_id, story.band, story.start, None, story.care_hours,
                offer_id, "active", decided,
            )  # fmt: skip
            add_event(
                app, wish_id, leader, ActorKind.FACILITY, EventKind.OFFER_MADE, "waiting", "offered", made
            )
            add_event(
                app, wish_id, parent, ActorKind.FAMILY, EventKind.OFFER_ACCEPTED, "offered", "placed", decided
            )
            return
        for info, wish_id, status in zip(chosen, wish_ids, wish_statuses, strict=True):
            # The answered offer behind a declined or expired wish (see _wish_status).
            if status in (WishStatus.DECLINED, WishStatus.EXPIRED):
                made = max(story.submitted_at, self._ago(30, 300))
                leader = self.leaders[info.id]
                offer_status, kind, actor, actor_kind = (
                    (OfferStatus.DECLINED, EventKind.OFFER_DECLINED, parent, ActorKind.FAMILY)
                    if status == WishStatus.DECLINED
                    else (OfferStatus.EXPIRED, EventKind.OFFER_EXPIRED, None, ActorKind.SYSTEM)
                )
                decided = made + (window if status == WishStatus.EXPIRED else datetime.timedelta(days=3))
                add_offer(
                    self._uuid(),
                    app,
                    wish_id,
                    story.start,
                    made + window,
                    offer_status,
                    leader,
                    made,
                    decided,
                )
                add_event(
                    app, wish_id, leader, ActorKind.FACILITY, EventKind.OFFER_MADE, "waiting", "offered", made
                )
                add_event(app, wish_id, actor, actor_kind, kind, "offered", "waiting", decided)
        final = {
            ApplicationStatus.WITHDRAWN: (parent, ActorKind.FAMILY, EventKind.WITHDRAWN),
            ApplicationStatus.EXPIRED: (None, ActorKind.SYSTEM, EventKind.EXPIRED),
            ApplicationStatus.CLOSED: (None, ActorKind.SYSTEM, EventKind.CLOSED),
        }.get(story.status)
        if final:
            later = max(story.submitted_at, self._ago(0, 60))
            add_event(app, None, final[0], final[1], final[2], "waiting", story.status, later)


@dataclass(frozen=True)
class _Story:
    application_id: int
    child_id: int
    status: str
    parent: int
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    band: str
    start: datetime.date
    care_hours: int
