"""The synthetic city's districts, facilities with their places per age band, and their staff."""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from childcare.demo.scale_marks import (
    OFFICE_EMAIL,
    PROVIDER_PREFIX,
    SLUG_PREFIX,
    SYNTHETIC_DOMAIN,
    UNUSABLE_PASSWORD,
)
from childcare.models import (
    AgeBand,
    Capacity,
    Facility,
    FacilityConcept,
    FacilityLanguage,
    FacilityType,
    Language,
    Meals,
    Provider,
    ProviderKind,
)
from childcare.models import Concept as ConceptChoice

CITY = "Musterstadt"
CENTRE = (50.05, 8.69)
# Share of facilities per type, and the places per age band a facility of that type has (low, high).
TYPES = {
    FacilityType.KITA: (0.45, {AgeBand.UNDER_THREE: (12, 36), AgeBand.THREE_TO_SCHOOL: (35, 85)}),
    FacilityType.KRIPPE: (0.15, {AgeBand.UNDER_THREE: (10, 40)}),
    FacilityType.KINDERGARTEN: (0.15, {AgeBand.THREE_TO_SCHOOL: (40, 90)}),
    FacilityType.HORT: (0.10, {AgeBand.SCHOOL: (20, 60)}),
    FacilityType.CHILDMINDER: (0.15, {AgeBand.UNDER_THREE: (5, 5)}),
}
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
TYPE_WORDS = {
    FacilityType.KITA: "Kita",
    FacilityType.KRIPPE: "Krippe",
    FacilityType.KINDERGARTEN: "Kindergarten",
    FacilityType.HORT: "Hort",
    FacilityType.CHILDMINDER: "Tagespflege",
}


@dataclass
class _FacilityInfo:
    id: int
    position: tuple[float, float]
    popularity: float
    max_care_hours: int


class FacilitiesMixin:
    """The city builder's districts, providers, facilities, capacities and staff; the nearest lookup."""

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
