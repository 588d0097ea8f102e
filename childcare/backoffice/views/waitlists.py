"""Facility staff's overview of their facilities and each facility's ranked waitlist (page and CSV).

A facility the user does not work for answers 404; the municipal office sees every facility.
"""

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.admissions import explanations, waitlist
from childcare.admissions import offers as offer_services
from childcare.backoffice.exports import csv_response
from childcare.backoffice.forms import staff as forms
from childcare.backoffice.lookups import staff_facility
from childcare.facilities import capacity
from childcare.facilities.capacity import occupancies_by_band
from childcare.facilities.search import AGE_BAND_ORDER
from childcare.models import (
    AgeBand,
    Facility,
    Offer,
    OfferStatus,
    Wish,
    WishStatus,
)
from portal import audit

WAITLIST_PER_PAGE = 50
FACILITIES_PER_PAGE = 25
CSV_CHUNK = 500


@dataclass(frozen=True)
class BandSummary:
    age_band: str
    label: str
    places: int
    free_now: int
    waiting: int


def _band_summaries(facilities: list[Facility], today: datetime.date) -> dict[int, list[BandSummary]]:
    """Places, free places today and waitlist length per age band, for all facilities in 3 queries."""
    taken = occupancies_by_band(facility_ids=[f.pk for f in facilities], from_date=today)  # 2 queries
    waiting = Counter(
        {
            (row["facility_id"], row["age_band"]): row["n"]
            for row in Wish.objects.filter(waitlist.ON_WAITLIST, facility__in=facilities)
            .values("facility_id", "age_band")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    summaries = {}
    for facility in facilities:
        places = {c.age_band: c.places for c in facility.capacities.all()}
        summaries[facility.pk] = [
            BandSummary(
                age_band=band,
                label=AgeBand(band).label,
                places=places.get(band, 0),
                free_now=max(
                    0, capacity.free_places_on(places.get(band, 0), taken[facility.pk, band], today)
                ),
                waiting=waiting[facility.pk, band],
            )
            for band in AGE_BAND_ORDER
            if band in places or waiting[facility.pk, band]
        ]
    return summaries


@login_required
def facility_list(request):
    """The facilities the user works for (the municipal office: all), paginated.

    Queries: count, one page of facilities, their capacities, active placements, open offers,
    waitlist lengths; nothing per facility.
    """
    office = permissions.is_municipal_office(request.user)
    facilities = (
        Facility.objects.all() if office else Facility.objects.filter(staff_memberships__user=request.user)
    )
    paginator = Paginator(
        facilities.prefetch_related("capacities").order_by("name", "pk"), FACILITIES_PER_PAGE
    )
    if not office and not paginator.count:
        raise Http404
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    summaries = _band_summaries(rows, timezone.localdate())
    context = {
        "facilities": [(facility, summaries[facility.pk]) for facility in rows],
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
    }
    return render(request, "childcare/staff/facilities.html", context)


# --- the waitlist ---


@dataclass(frozen=True)
class WaitlistFilters:
    age_band: str
    state: str
    start_month: datetime.date | None

    def matches(self, status: str, desired_start: datetime.date | None) -> bool:
        if self.state == forms.STATE_ACTIVE and status != WishStatus.ACTIVE:
            return False
        if self.state == forms.STATE_OFFERED and status != WishStatus.OFFERED:
            return False
        if self.start_month is None:
            return True
        month = (self.start_month.year, self.start_month.month)
        return desired_start is not None and (desired_start.year, desired_start.month) == month


def _filters(request, bands: list[str]) -> tuple[forms.WaitlistFilterForm, WaitlistFilters]:
    """The filters from the URL; an invalid value shows its error and falls back to its default.

    Without a chosen age band the list opens on the facility's first band (U3 before Ü3).
    """
    default_band = bands[0] if bands else AgeBand.UNDER_THREE
    data = request.GET.copy()
    if not data.get("age_band"):
        data["age_band"] = default_band
    form = forms.WaitlistFilterForm(data)
    form.is_valid()
    cleaned = form.cleaned_data
    return form, WaitlistFilters(
        age_band=cleaned.get("age_band") or default_band,
        state=cleaned.get("state") or forms.STATE_ALL,
        start_month=cleaned.get("start_month"),
    )


def _ranked(facility: Facility, age_band: str) -> QuerySet[Wish]:
    """The facility's whole list for the age band, in waitlist order, each wish with its ``position``.

    The window runs over the unfiltered list, so a filtered view still shows every candidate's
    real place; the filters are applied afterwards, in Python.
    """
    return waitlist.waitlist(facility_id=facility.pk, age_band=age_band).annotate(
        position=Window(RowNumber(), order_by=waitlist.ORDER)
    )


# Each row links to its application and posts its actions to URLs that differ only in the
# application's id: they are reversed once per page with this stand-in, which each row replaces.
_ROW_ID = str(uuid.UUID(int=0))
_ROW_ACTIONS = ("offer_make", "wish_reject", "placement_record")


def _row_url_patterns(facility: Facility) -> dict[str, str]:
    patterns = {name: reverse(f"backoffice:{name}", args=[facility.slug, _ROW_ID]) for name in _ROW_ACTIONS}
    patterns["note_add"] = reverse("backoffice:note_add", args=[_ROW_ID])
    patterns["application"] = reverse("backoffice:application", args=[_ROW_ID])
    return patterns


def _page_of_candidates(facility: Facility, entries: list[tuple[int, int]]) -> list[Wish]:
    """Load the wishes of one page (given as (pk, position) in list order) with what the rows show.

    Two queries: the wishes with application and child, and their open offers.
    """
    patterns = _row_url_patterns(facility)
    wishes = Wish.objects.filter(pk__in=[pk for pk, _position in entries]).select_related(
        "application__child"
    )
    wishes = wishes.prefetch_related(
        Prefetch("offers", queryset=Offer.objects.filter(status=OfferStatus.OPEN), to_attr="open_offers")
    )
    found = {wish.pk: wish for wish in wishes}
    page = []
    for pk, position in entries:
        wish = found.get(pk)
        if wish is None:  # left the list between the two reads
            continue
        wish.position = position
        wish.explained = explanations.explain_points(wish.points_explanation)
        wish.open_offer = wish.open_offers[0] if wish.open_offers else None
        wish.offer_start = forms.suggested_start([wish.application.desired_start_date])
        public_id = str(wish.application.public_id)
        wish.urls = {name: pattern.replace(_ROW_ID, public_id) for name, pattern in patterns.items()}
        page.append(wish)
    return page


# How many waiting families at the top of the list "offer the next places" looks at for its date.
TOP_WAITING = 3


def top_waiting_starts(facility: Facility, age_band: str) -> list[datetime.date | None]:
    """The desired starts of the first families on the list still waiting for an offer (1 query)."""
    return list(
        waitlist.waitlist(facility_id=facility.pk, age_band=age_band)
        .filter(status=WishStatus.ACTIVE)
        .values_list("application__desired_start_date", flat=True)[:TOP_WAITING]
    )


def facility_bands(facility: Facility) -> tuple[list[str], dict[str, int]]:
    """The facility's age bands in age order, and places per band (one query)."""
    places = dict(facility.capacities.values_list("age_band", "places"))
    return [band for band in AGE_BAND_ORDER if band in places], places


@login_required
def waitlist_page(request, slug):
    """The ranked, filtered, paginated waitlist of one facility and age band.

    Queries, whatever the length of the list: the facility, the staff check, its capacities,
    active placements and open offers of the band (free places), the ranked list (pk,
    position, state, desired start only), the page's wishes with application and child, their
    open offers, the portal settings (for the offer deadline). With the session, the user, and
    the layout's portal settings and inbox badge and the one audit-log INSERT that makes 14 (13 for
    the municipal office).
    """
    facility = staff_facility(request, slug)
    bands, places = facility_bands(facility)
    form, filters = _filters(request, bands)
    today = timezone.localdate()
    taken = capacity.occupancies(facility_id=facility.pk, age_band=filters.age_band, from_date=today)
    ranked = _ranked(facility, filters.age_band).values_list(
        "pk", "position", "status", "application__desired_start_date"
    )
    total = 0
    entries = []
    top_waiting = []  # the same families top_waiting_starts() finds, without another query
    for pk, position, status, desired_start in ranked:
        total += 1
        if status == WishStatus.ACTIVE and len(top_waiting) < TOP_WAITING:
            top_waiting.append(desired_start)
        if filters.matches(status, desired_start):
            entries.append((pk, position))
    paginator = Paginator(entries, WAITLIST_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    candidates = _page_of_candidates(facility, list(page.object_list))
    audit.record_list(
        request,
        object_type="waitlist",
        refs=[wish.application.reference for wish in candidates],
        detail=f"{facility.slug} {filters.age_band} page {page.number}",
    )
    deadline = offer_services.default_deadline()  # reads the portal settings
    tomorrow = today + datetime.timedelta(days=1)
    band_places = places.get(filters.age_band, 0)
    context = {
        "facility": facility,
        "form": form,
        "filters": filters,
        "age_band_label": AgeBand(filters.age_band).label,
        "candidates": candidates,
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
        "total": total,
        "places": band_places,
        "free_now": max(0, capacity.free_places_on(band_places, taken, today)),
        "deadline": deadline.date(),
        "tomorrow": tomorrow,
        "offer_next_form": forms.OfferNextForm(
            initial={
                "age_band": filters.age_band,
                "count": 1,
                "start_date": forms.suggested_start(top_waiting),
                "answer_by": deadline.date(),
            }
        ),
    }
    return render(request, "childcare/staff/waitlist.html", context)


CSV_COLUMNS = (
    "position",
    "application__reference",
    "application__child__first_name",
    "age_band",
    "application__desired_start_date",
    "application__care_hours_per_week",
    "rank",
    "points",
    "points_explanation",
    "application__submitted_at",
    "status",
)


def _csv_rows(ranked: QuerySet[Wish], filters: WaitlistFilters):
    """The rows as plain values, read in chunks; labels are translated once per export, not per row
    (the generator runs while the response is sent, in the request's language)."""
    bands = {value: str(label) for value, label in AgeBand.choices}
    states = {value: str(label) for value, label in WishStatus.choices}
    explained: dict[tuple, str] = {}  # many families share the same points explanation
    for row in ranked.values_list(*CSV_COLUMNS).iterator(chunk_size=CSV_CHUNK):
        (
            position,
            reference,
            first_name,
            band,
            desired_start,
            hours,
            rank,
            points,
            explanation,
            submitted,
            status,
        ) = row
        if not filters.matches(status, desired_start):
            continue
        key = tuple(explanation.items())
        if key not in explained:
            explained[key] = ", ".join(explanations.explain_points(explanation))
        yield [
            position,
            reference,
            first_name,
            bands.get(band, band),
            desired_start,
            hours,
            rank,
            points,
            explained[key],
            submitted,
            states.get(status, status),
        ]


@login_required
def waitlist_csv(request, slug):
    """The waitlist with the page's filters as a CSV download: every matching row, streamed."""
    facility = staff_facility(request, slug)
    bands, _places = facility_bands(facility)
    form, filters = _filters(request, bands)
    if form.errors:
        messages.error(request, _("Please correct the filters before exporting."))
        return redirect(f"{reverse('backoffice:waitlist', args=[facility.slug])}?{request.GET.urlencode()}")
    header = [
        _("Position"),
        _("Reference number"),
        _("Child"),
        _("Age band"),
        _("Desired start"),
        _("Care scope (hours per week)"),
        _("Wish rank"),
        _("Points"),
        _("Points explanation"),
        _("Submitted"),
        _("State"),
    ]
    filename = f"{slugify(_('waitlist'))}-{facility.slug}-{filters.age_band}-{timezone.localdate()}.csv"
    audit.record(
        request, action=audit.Action.EXPORT, object_type="waitlist", object_ref=facility.slug, detail=filename
    )
    return csv_response(
        filename=filename, header=header, rows=_csv_rows(_ranked(facility, filters.age_band), filters)
    )


# --- actions: a form page (GET, or a POST with errors), the service call on a valid POST ---
