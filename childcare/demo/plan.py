"""The plan of the demo town in memory: facilities' programs, families, children, their places,
wishes, offers and timelines, and the ledger that never lets a program be overbooked."""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from childcare.demo.names import Origin, mail_local_part
from childcare.facilities import capacity
from childcare.models import WishStatus


@dataclass(frozen=True)
class Program:
    """One facility and age band with its places, as the portal stores them."""

    facility_id: int
    slug: str
    facility_type: str
    band: str
    places: int
    accepts_applications: bool
    opens_next_year: bool
    company: bool
    position: tuple[float, float]
    max_care_hours: int


@dataclass
class Family:
    key: int
    origin: Origin
    first_name: str
    last_name: str
    home: tuple[float, float]

    @property
    def email_local_part(self) -> str:
        return f"{mail_local_part(self.first_name, self.last_name)}.{self.key:04d}"


@dataclass
class PlannedChild:
    family: Family
    first_name: str
    birth_date: datetime.date
    expected: bool = False
    integration_need: bool = False


@dataclass
class PlannedPlacement:
    child: PlannedChild
    program: Program
    start: datetime.date
    end: datetime.date | None
    care_hours: int
    created_at: datetime.datetime
    source_offer: "PlannedOffer | None" = None


@dataclass
class PlannedWish:
    program: Program
    rank: int
    status: str = WishStatus.ACTIVE
    rejection_reason: str = ""


@dataclass
class PlannedOffer:
    wish: PlannedWish
    start: datetime.date
    made_at: datetime.datetime
    expires_at: datetime.datetime
    status: str
    decided_at: datetime.datetime | None = None


@dataclass
class PlannedEvent:
    at: datetime.datetime
    kind: str
    from_status: str = ""
    to_status: str = ""
    actor: str | None = None  # "family", a facility slug for its leader, None for the portal itself
    wish: PlannedWish | None = None
    note: str = ""


@dataclass
class PlannedApplication:
    child: PlannedChild
    status: str
    desired_start: datetime.date
    care_hours: int
    resides_in_municipality: bool
    guardians_working: int
    single_parent: bool
    hardship: bool
    lottery_number: int
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    last_confirmed_at: datetime.datetime | None
    wishes: list[PlannedWish]
    offers: list[PlannedOffer] = field(default_factory=list)
    events: list[PlannedEvent] = field(default_factory=list)
    placement: PlannedPlacement | None = None


@dataclass
class TownPlan:
    families: list[Family]
    children: list[PlannedChild]
    placements: list[PlannedPlacement]
    applications: list[PlannedApplication]


class Ledger:
    """Places taken per program over time; refuses a stay that would overbook any of its days."""

    def __init__(self, taken: dict[tuple[int, str], list[capacity.Occupancy]]):
        self.taken = defaultdict(list, {key: list(value) for key, value in taken.items()})

    def free_on(self, program: Program, day: datetime.date) -> int:
        return capacity.free_places_on(program.places, self.taken[program.facility_id, program.band], day)

    def take(self, program: Program, start: datetime.date, end: datetime.date | None) -> bool:
        taken = self.taken[program.facility_id, program.band]
        # Free places drop only where a stay begins: check the first day and every later beginning.
        days = {start} | {o.start for o in taken if o.start > start and (end is None or o.start < end)}
        if any(capacity.free_places_on(program.places, taken, day) <= 0 for day in days):
            return False
        taken.append(capacity.Occupancy(start, end))
        return True


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Kilometres between two points; a flat earth is exact enough inside one town."""
    north = (a[0] - b[0]) * 111.2
    east = (a[1] - b[1]) * 111.2 * math.cos(math.radians(a[0]))
    return math.hypot(north, east)
