"""Facility search: the filters parents use, and the facts they compare.

The database filters, counts and orders everything, including free places from the start on (read
from the stored availability, ``childcare.facilities.availability``) and the distance; the facts of
a result are built only for the one page of facilities shown, so a town with 3,000 facilities costs
as many queries, and nearly as much time, as one with 5.
"""

import calendar
import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django import forms
from django.db.models import FloatField, Value, prefetch_related_objects
from django.db.models.functions import Cast, Cos, Power, Radians, Sin
from django.utils.translation import gettext_lazy as _

from childcare.age import age_band_on
from childcare.facilities.availability import free_on, stretches, with_free_places_from
from childcare.facilities.capacity import Occupancy, free_places_on
from childcare.facilities.geo import EARTH_RADIUS_KM, Location, LocationError, resolve_location
from childcare.facilities.selectors import facility_list
from childcare.models import (
    AgeBand,
    Capacity,
    Concept,
    Facility,
    FacilityConcept,
    FacilityLanguage,
    FacilityType,
    Language,
    ProviderKind,
)
from portal.models import PortalSettings

SORT_BY_NAME = "name"
SORT_BY_DISTANCE = "distance"
MAX_AGE_YEARS = 12
MAX_MONTHS_BEFORE_BIRTH = 12
MAX_MONTHS_AHEAD = 36
# Circles a page of the nearest facilities is looked for in first; a page not found in the widest
# (the last page, or a start far from all facilities) is read from the whole town.
NEARBY_RADII_KM = (1.5, 6.0, 24.0)
# Below this many matches the whole town is sorted at once: cheaper than circles that miss.
NEARBY_FROM_MATCHES = 200
AGE_BAND_ORDER = list(AgeBand)
# Filters tucked away under "More filters"; the view opens that section when one of them is used.
MORE_FILTERS = ("type", "provider", "concept", "language", "barrier_free", "opens_by", "closes_after")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole months; the 31st becomes the last day of a shorter month."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    return datetime.date(year, month_index + 1, min(day.day, calendar.monthrange(year, month_index + 1)[1]))


_DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "required": False}
_TIME = {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
_CHECKBOXES = {"widget": forms.CheckboxSelectMultiple}


class SearchForm(forms.Form):
    """The inputs that are no plain database filter: the child's age, the start, where from, the order.

    Cleaned, ``start`` defaults to the next year start, ``near`` is a ``Location`` (or None), and
    ``age_band`` is the child's band at the start, if the birth date or the age was given.
    """

    birth_date = forms.DateField(label=_("Date of birth"), **_DATE)
    age_years = forms.IntegerField(
        label=_("or age today: years"), required=False, min_value=0, max_value=MAX_AGE_YEARS
    )
    age_months = forms.IntegerField(label=_("and months"), required=False, min_value=0, max_value=11)
    start = forms.DateField(
        label=_("Desired start"), help_text=_("Empty: the start of the next daycare year."), **_DATE
    )
    free_at_start = forms.BooleanField(
        label=_("Only facilities with free places at my start"), required=False
    )
    near = forms.CharField(
        label=_("Your postcode"),
        required=False,
        max_length=100,
        help_text=_(
            "For distances, e.g. 63000, or coordinates such as 50.0508, 8.6912. "
            "Used only here; nothing is sent to other services."
        ),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        help_text=_("Automatic: by distance when you give a postcode, otherwise by name."),
        choices=[
            ("", _("Automatic")),
            (SORT_BY_NAME, _("Name")),
            (SORT_BY_DISTANCE, _("Distance")),
        ],
    )

    # The order on the page, which the error summary follows; the filters' fields are added later.
    field_order = [
        "birth_date",
        "age_years",
        "age_months",
        "start",
        "hours",
        "free_at_start",
        "near",
        "sort",
        *MORE_FILTERS,
    ]

    def __init__(self, *args, portal: PortalSettings, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.portal = portal
        self.today = today

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date and birth_date > add_months(self.today, MAX_MONTHS_BEFORE_BIRTH):
            raise forms.ValidationError(_("The date of birth can be at most 12 months in the future."))
        if birth_date and birth_date < add_months(self.today, -12 * MAX_AGE_YEARS):
            raise forms.ValidationError(_("The date of birth can be at most 12 years ago."))
        return birth_date

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start and start < self.today:
            raise forms.ValidationError(_("The desired start lies in the past."))
        if start and start > add_months(self.today, MAX_MONTHS_AHEAD):
            raise forms.ValidationError(_("The desired start can be at most three years ahead."))
        return start or self.portal.next_year_start(self.today)

    def clean_near(self):
        text = self.cleaned_data["near"].strip()
        if not text:
            return None
        try:
            return resolve_location(text, municipality=self.portal.municipality_name)
        except LocationError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        birth_date, years, months = data.get("birth_date"), data.get("age_years"), data.get("age_months")
        if birth_date and (years is not None or months is not None):
            self.add_error("age_years", _("Enter either the date of birth or the age, not both."))
        elif birth_date is None and (years is not None or months is not None):
            birth_date = add_months(self.today, -(12 * (years or 0) + (months or 0)))
        start = data.get("start")
        data["age_band"] = None
        if birth_date and start and not self.has_error("age_years"):
            if start < birth_date:
                self.add_error("start", _("The desired start is before the date of birth."))
            else:
                data["age_band"] = age_band_on(birth_date, start, **self.portal.school_calendar)
        if data.get("sort") == SORT_BY_DISTANCE and data.get("near") is None and not self.has_error("near"):
            self.add_error("near", _("Enter your postcode to sort by distance."))
        return data


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class TickedFilter(django_filters.Filter):
    """A ticked box keeps facilities where the field is true; an empty box does not filter."""

    field_class = forms.BooleanField

    def filter(self, qs, value):
        return qs.filter(**{self.field_name: True}) if value else qs


class FacilitySearch(django_filters.FilterSet):
    """The filters parents set, all in the URL so that a search can be bookmarked and shared."""

    hours = IntegerFilter(
        field_name="max_care_hours",
        lookup_expr="gte",
        label=_("Care hours per week"),
        help_text=_("Facilities that offer at least this many hours."),
        min_value=1,
        max_value=60,
    )
    type = django_filters.MultipleChoiceFilter(
        label=_("Type of facility"), choices=FacilityType.choices, distinct=False, **_CHECKBOXES
    )
    provider = django_filters.MultipleChoiceFilter(
        field_name="provider__kind",
        label=_("Provider"),
        choices=ProviderKind.choices,
        distinct=False,
        **_CHECKBOXES,
    )
    concept = django_filters.MultipleChoiceFilter(
        label=_("Educational concept (any of)"),
        choices=Concept.choices,
        method="filter_concepts",
        **_CHECKBOXES,
    )
    language = django_filters.MultipleChoiceFilter(
        label=_("Languages spoken (any of)"),
        choices=Language.choices,
        method="filter_languages",
        **_CHECKBOXES,
    )
    barrier_free = TickedFilter(label=_("Barrier-free only"))
    opens_by = django_filters.TimeFilter(
        field_name="opens_at", lookup_expr="lte", label=_("Open by"), help_text=_("e.g. 07:30"), **_TIME
    )
    closes_after = django_filters.TimeFilter(
        field_name="closes_at",
        lookup_expr="gte",
        label=_("Open until at least"),
        help_text=_("e.g. 16:30"),
        **_TIME,
    )

    class Meta:
        model = Facility
        fields: list[str] = []
        form = SearchForm

    def __init__(self, data, *, portal: PortalSettings, today: datetime.date, languages: bool = False):
        super().__init__(data, queryset=facility_list(languages=languages))
        self.portal = portal
        self.today = today

    @property
    def form(self):
        if not hasattr(self, "_form"):
            self._form = self.get_form_class()(
                self.data if self.is_bound else None, portal=self.portal, today=self.today
            )
        return self._form

    def filter_concepts(self, queryset, name, value):
        return queryset.filter(pk__in=FacilityConcept.objects.filter(concept__in=value).values("facility_id"))

    def filter_languages(self, queryset, name, value):
        return queryset.filter(
            pk__in=FacilityLanguage.objects.filter(language__in=value).values("facility_id")
        )

    def filter_queryset(self, queryset):
        # Only the declared filters touch the database; the form's own fields are applied in Python.
        data = self.form.cleaned_data
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, data.get(name))
        if data["age_band"]:
            # Capacity is unique per facility and band, so this join adds no duplicate rows.
            queryset = queryset.filter(capacities__age_band=data["age_band"], capacities__places__gt=0)
        return queryset


@dataclass(frozen=True)
class BandAvailability:
    age_band: str
    label: str
    places: int
    free_now: int
    free_at_start: int


@dataclass(frozen=True)
class FacilityResult:
    facility: Facility
    bands: tuple[BandAvailability, ...]  # the child's band only, if it is known
    distance_km: float | None
    url: str
    # Labels looked up once per page: a model's get_FOO_display() rebuilds the field's choices each call.
    type_label: str
    provider_kind_label: str
    concept_labels: tuple[str, ...]

    @property
    def free_now(self) -> int:
        return sum(band.free_now for band in self.bands)

    @property
    def free_at_start(self) -> int:
        return sum(band.free_at_start for band in self.bands)


@dataclass(frozen=True)
class SearchOutcome:
    form: forms.Form
    results: Sequence[FacilityResult]  # lazy (SearchResults); empty while the form has errors
    start: datetime.date | None
    age_band: AgeBand | None
    location: Location | None


def free_places(capacity: Capacity, taken: dict[tuple[int, str], list[Occupancy]], day: datetime.date) -> int:
    """Free places of one capacity on ``day``; an overbooked band shows as full, not below zero."""
    return max(0, free_places_on(capacity.places, taken[capacity.facility_id, capacity.age_band], day))


def sorted_capacities(facility: Facility) -> list[Capacity]:
    """The facility's prefetched capacities in age order (U3, Ü3, school)."""
    return sorted(facility.capacities.all(), key=lambda capacity: AGE_BAND_ORDER.index(capacity.age_band))


def by_distance(queryset, location: Location):
    """Ordered by great-circle distance from ``location`` in the database (then by name).

    The haversine term grows with the distance, so ordering by it is ordering by distance;
    SQLite gets the same math functions from Django's backend.
    """
    phi = math.radians(location.latitude)
    latitude = Radians(Cast("latitude", FloatField()))
    longitude = Radians(Cast("longitude", FloatField()))
    half_chord = Power(Sin((latitude - Value(phi)) / 2), 2) + Value(math.cos(phi)) * Cos(latitude) * Power(
        Sin((longitude - Value(math.radians(location.longitude))) / 2), 2
    )
    return queryset.annotate(half_chord=half_chord).order_by("half_chord", "name", "pk")


def within(queryset, location: Location, radius_km: float):
    """The facilities of a ``by_distance`` queryset no farther than ``radius_km`` from ``location``.

    A bounding box in plain degrees comes first, so the index on the positions finds the few
    candidates and only those get the exact (haversine) distance.
    """
    degrees_latitude = math.degrees(radius_km / EARTH_RADIUS_KM)
    degrees_longitude = degrees_latitude / max(math.cos(math.radians(location.latitude)), 0.01)
    return queryset.filter(
        latitude__range=(
            Decimal(f"{location.latitude - degrees_latitude:.6f}"),
            Decimal(f"{location.latitude + degrees_latitude:.6f}"),
        ),
        longitude__range=(
            Decimal(f"{location.longitude - degrees_longitude:.6f}"),
            Decimal(f"{location.longitude + degrees_longitude:.6f}"),
        ),
        half_chord__lte=math.sin(radius_km / EARTH_RADIUS_KM / 2) ** 2,
    )


class SearchResults(Sequence):
    """The matching facilities as a lazy sequence: the paginator counts them in SQL, and only the
    slice it shows is loaded, with its free places (two queries for the slice, not for the town).

    Ordered by distance in a big town, a slice is looked for in growing circles around the start
    first (``NEARBY_RADII_KM``): once a circle holds the whole slice, no facility outside it can be
    nearer, so the slice is exact without computing the distance of every facility in town.
    """

    def __init__(self, queryset, *, today, start, age_band, location, nearest_first: bool = False):
        self.queryset, self.today, self.start = queryset, today, start
        self.age_band, self.location, self.nearest_first = age_band, location, nearest_first
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._results(self._slice(index))
        return self._results([self.queryset[index]])[0]

    def _slice(self, index: slice) -> list[Facility]:
        if (
            self.nearest_first
            and index.step is None
            and index.start is not None
            and index.stop is not None
            and self.count() >= NEARBY_FROM_MATCHES
        ):
            expected = min(index.stop, self.count()) - index.start
            lookups = self.queryset._prefetch_related_lookups
            for radius_km in NEARBY_RADII_KM:
                # Related rows only for the circle that holds the slice: a circle too small costs
                # one query, not one per related table too.
                circle = within(self.queryset, self.location, radius_km).prefetch_related(None)
                nearby = list(circle[index])
                if len(nearby) == expected:
                    prefetch_related_objects(nearby, *lookups)
                    return nearby
        return list(self.queryset[index])

    def __iter__(self):
        return iter(self._results(list(self.queryset)))

    def _results(self, facilities: list[Facility]) -> list[FacilityResult]:
        stored = stretches(
            facility_ids=[facility.pk for facility in facilities], days=[self.today, self.start]
        )
        location = self.location
        bands, types, kinds = dict(AgeBand.choices), dict(FacilityType.choices), dict(ProviderKind.choices)
        concepts = dict(Concept.choices)
        return [
            FacilityResult(
                facility=facility,
                url=facility.get_absolute_url(),
                type_label=str(types.get(facility.type, facility.type)),
                provider_kind_label=str(kinds.get(facility.provider.kind, facility.provider.kind)),
                concept_labels=tuple(
                    str(concepts.get(item.concept, item.concept)) for item in facility.concepts.all()
                ),
                bands=tuple(
                    BandAvailability(
                        age_band=capacity.age_band,
                        label=str(bands[capacity.age_band]),
                        places=capacity.places,
                        free_now=free_on(capacity, stored[facility.pk, capacity.age_band], self.today),
                        free_at_start=free_on(capacity, stored[facility.pk, capacity.age_band], self.start),
                    )
                    for capacity in sorted_capacities(facility)
                    if self.age_band is None or capacity.age_band == self.age_band
                ),
                distance_km=(
                    location.distance_km(float(facility.latitude), float(facility.longitude))
                    if location
                    else None
                ),
            )
            for facility in facilities
        ]


def search_facilities(
    *, data, portal: PortalSettings, today: datetime.date, languages: bool = False
) -> SearchOutcome:
    """Active facilities matching the filters in ``data`` (a query dict), with free places and distance.

    The database filters, counts and orders (also by free places from the start on and by
    distance); ``results`` loads only what is read of it: a page of 20 costs the facilities with
    providers, their capacities and concepts (two prefetches; with ``languages`` their languages
    too, which the API's results name and the cards do not), and the stored free
    places of those 20 today and at the start (one); one more to look up a postcode, one to count.
    Nothing per facility.
    """
    search = FacilitySearch(data, portal=portal, today=today, languages=languages)
    form = search.form
    if not search.is_valid():
        return SearchOutcome(form=form, results=[], start=None, age_band=None, location=None)
    start, age_band, location = (
        form.cleaned_data["start"],
        form.cleaned_data["age_band"],
        form.cleaned_data["near"],
    )
    queryset = search.qs
    if form.cleaned_data["free_at_start"]:
        queryset = with_free_places_from(queryset, day=start, age_band=age_band)
    nearest_first = form.cleaned_data["sort"] == SORT_BY_DISTANCE or (
        location and not form.cleaned_data["sort"]
    )
    if nearest_first:
        queryset = by_distance(queryset, location)
    results = SearchResults(
        queryset, today=today, start=start, age_band=age_band, location=location, nearest_first=nearest_first
    )
    return SearchOutcome(form=form, results=results, start=start, age_band=age_band, location=location)


@dataclass(frozen=True)
class MonthlyFreePlaces:
    day: datetime.date
    free: tuple[int, ...]  # one number per capacity, in the order of FacilityAvailability.capacities


@dataclass(frozen=True)
class FacilityAvailability:
    capacities: list[Capacity]
    rows: list[MonthlyFreePlaces]


def facility_availability(
    *, facility: Facility, today: datetime.date, months: int = 12
) -> FacilityAvailability:
    """Free places per age band today and on the first of each of the next ``months`` months; one query."""
    capacities = sorted_capacities(facility)
    stored = stretches(facility_ids=[facility.pk])
    first_of_month = today.replace(day=1)
    days = [today] + [add_months(first_of_month, offset) for offset in range(1, months + 1)]
    rows = [
        MonthlyFreePlaces(
            day=day,
            free=tuple(
                free_on(capacity, stored[facility.pk, capacity.age_band], day) for capacity in capacities
            ),
        )
        for day in days
    ]
    return FacilityAvailability(capacities=capacities, rows=rows)
