"""The synthetic city's families: guardians, children, and the children already placed."""

import datetime
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress

from childcare.age import age_band_on, school_entry_date
from childcare.demo.scale_facilities import _FacilityInfo
from childcare.demo.scale_marks import SYNTHETIC_DOMAIN, UNUSABLE_PASSWORD
from childcare.models import (
    AgeBand,
    StaffMembership,
    StaffRole,
)

# Existing placements fill each program to this share of its places (uniform between the two).
OCCUPANCY = (0.28, 0.74)
FIRST_NAMES = [
    "Mia", "Emil", "Lina", "Noah", "Emma", "Paul", "Hannah", "Ben", "Lea", "Elias", "Sofia", "Finn", "Ella",
    "Leon", "Amira", "Yusuf", "Zoe", "Mateo", "Ida", "Milan", "Lara", "Aylin", "Jonas", "Nora",
]  # fmt: skip
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Koch", "Richter", "Klein", "Wolf", "Yilmaz", "Kaya", "Nowak", "Kowalski", "Popescu", "Rossi",
]  # fmt: skip


@dataclass
class _Family:
    guardians: list[int]
    position: tuple[float, float]
    last_name: str
    children: list[int] = field(default_factory=list)
    placed_at: set[int] = field(default_factory=set)  # facility ids where a child of the family is placed


class FamiliesMixin:
    """Families, children and existing placements of the city builder; the accounts' e-mail rows."""

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
