"""Facility staff's overview of their facilities and each facility's ranked waitlist (page and CSV).

A facility the user does not work for answers 404; the municipal office sees every facility.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.admissions import explanations, waitlist
from childcare.admissions import offers as offer_services
from childcare.backoffice import waitlist_body, waitlist_rows
from childcare.backoffice import waitlist_listing as listing
from childcare.backoffice.exports import csv_response
from childcare.backoffice.forms import staff as forms
from childcare.backoffice.lookups import WaitlistFacility, waitlist_facility
from childcare.facilities import capacity
from childcare.facilities.capacity import occupancies_by_band
from childcare.facilities.search import AGE_BAND_ORDER
from childcare.models import (
    AgeBand,
    Facility,
    Wish,
    WishStatus,
)
from childcare.parents.search_fields import search_fields
from portal import audit, fragments, page_frame

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


_STATES = {forms.STATE_ACTIVE: WishStatus.ACTIVE, forms.STATE_OFFERED: WishStatus.OFFERED}


@dataclass(frozen=True)
class WaitlistFilters:
    age_band: str
    state: str
    start_month: datetime.date | None

    @property
    def wish_state(self) -> WishStatus | None:
        return _STATES.get(self.state)

    @property
    def condition(self) -> Q:
        """The filters as a condition on a wish of the list (the page's statement writes the same)."""
        return listing.matching(state=self.wish_state, start_month=self.start_month)


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


def _ranked(facility: WaitlistFacility, age_band: str) -> QuerySet[Wish]:
    """The facility's whole list for the age band, in waitlist order, each wish with its ``position``.

    The window runs over the unfiltered list, so a filtered view still shows every candidate's
    real place.
    """
    return waitlist.waitlist(facility_id=facility.pk, age_band=age_band).annotate(
        position=Window(RowNumber(), order_by=waitlist.ORDER)
    )


def top_waiting_starts(facility: Facility, age_band: str) -> list[datetime.date | None]:
    """The desired starts of the first families on the list still waiting for an offer (1 query)."""
    return list(
        waitlist.waitlist(facility_id=facility.pk, age_band=age_band)
        .filter(status=WishStatus.ACTIVE)
        .values_list("application__desired_start_date", flat=True)[: listing.TOP_WAITING]
    )


def facility_bands(facility: Facility) -> tuple[list[str], dict[str, int]]:
    """The facility's age bands in age order, and places per band (one query)."""
    places = dict(facility.capacities.values_list("age_band", "places"))
    return [band for band in AGE_BAND_ORDER if band in places], places


# The two forms' fields are the same markup for the same values, errors and language, so they are
# kept (portal.fragments) rather than written on every visit of the list; the key names all three.
# Nothing of the list is in them but the suggested start, which is part of the key.
FORM_FIELDS_SECONDS = 10 * 60


def _form_fields(
    form: forms.WaitlistFilterForm, offer_next: dict
) -> tuple[dict[str, SafeString], dict[str, SafeString]]:
    """The filter form's and the "offer the next places" form's fields (its ``initial`` values being
    ``offer_next``), as ``search_fields`` writes them; the second form is made only to write them."""
    shown = (
        [(name, form.data.getlist(name)) for name in form.fields],
        [(name, [str(error) for error in errors]) for name, errors in form.errors.items()],
        sorted((name, str(value)) for name, value in offer_next.items()),
    )

    def write() -> dict[str, str]:
        offer_next_form = forms.OfferNextForm(initial=offer_next)
        return {
            **{f"filter:{name}": str(field) for name, field in search_fields(form).items()},
            **{f"offer-next:{name}": str(field) for name, field in search_fields(offer_next_form).items()},
        }

    kept = fragments.kept_for("waitlist-form-fields", shown, write, timeout=FORM_FIELDS_SECONDS)
    fields: tuple[dict, dict] = ({}, {})
    for key, html in kept.items():
        which, name = key.split(":", 1)
        fields[which == "offer-next"][name] = mark_safe(html)  # noqa: S308 (search_fields' escaped markup)
    return fields


def _page_number(request) -> int:
    """The page asked for, as ``Paginator.get_page`` reads it: not a number is the first page; below
    1 or past the end is the last, so any number beyond every list (which the database could not
    take) reads as 0 for "the last page"."""
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= 1_000_000 else 0


@login_required
def waitlist_page(request, slug):
    """The ranked, filtered, paginated waitlist of one facility and age band.

    Queries, whatever the length of the list: the facility with the staff check and its age bands'
    places and free places today (``lookups.waitlist_facility``), the page
    (``waitlist_listing.read_page``: positions, counts and the page's rows in one statement; once
    more only for a page number past the end), the portal settings (offer deadline). With the
    session and its user with the inbox badge (one statement once this process knows the
    session), the layout's portal settings and the one audit-log INSERT, that makes 6.
    """
    facility = waitlist_facility(request, slug, timezone.localdate())
    form, filters = _filters(request, facility.bands)
    requested = _page_number(request)

    def read(number: int) -> listing.ListPage:
        return listing.read_page(
            facility_id=facility.pk,
            age_band=filters.age_band,
            state=filters.wish_state,
            start_month=filters.start_month,
            number=number,
            per_page=WAITLIST_PER_PAGE,
        )

    listed = read(requested)
    paginator = Paginator(range(listed.matching), WAITLIST_PER_PAGE)
    number = paginator.get_page(requested).number
    if number != requested:
        listed = read(number)
    page = Page(listed.candidates, number, paginator)
    audit.record_list(
        request,
        object_type="waitlist",
        refs=[candidate.reference for candidate in listed.candidates],
        detail=f"{facility.slug} {filters.age_band} page {number}",
    )
    deadline = offer_services.default_deadline().date()  # reads the portal settings
    back = request.get_full_path()
    band_places, free_now = facility.programs.get(filters.age_band, (0, 0))
    offer_next = {
        "age_band": filters.age_band,
        "count": 1,
        "start_date": forms.suggested_start([listed.top_start]),
        "answer_by": deadline,
    }
    fields, offer_next_fields = _form_fields(form, offer_next)
    csrf_token = get_token(request)  # one masked token for the page's forms and its frame
    body = waitlist_body.body(
        waitlist_body.WaitlistBody(
            facility_slug=facility.slug,
            facility_name=facility.name,
            band_label=str(AgeBand(filters.age_band).label),
            places=band_places,
            free_now=free_now,
            total=listed.total,
            query=request.GET,
            form=form,
            fields=fields,
            offer_next_fields=offer_next_fields,
            rows=waitlist_rows.candidate_rows(
                listed.candidates,
                waitlist_rows.RowContext.for_page(
                    facility_slug=facility.slug, age_band=filters.age_band, back=back, deadline=deadline
                ),
            ),
            has_candidates=bool(listed.candidates),
            actions_form=waitlist_rows.ACTIONS_FORM,
            back=back,
            deadline=deadline,
            csrf_token=csrf_token,
            page=page,
            page_range=paginator.get_elided_page_range(number, on_each_side=1, on_ends=1),
        )
    )
    context = {
        "facility": facility,
        "body": body,
        "csrf_token": csrf_token,
        # The page is written from the above; what it shows is here for whoever reads the context.
        "form": form,
        "filters": filters,
        "candidates": listed.candidates,
        "page_obj": page,
        "total": listed.total,
        "places": band_places,
        "free_now": free_now,
        "back": back,
        "deadline": deadline,
        "offer_next": offer_next,
    }
    title = _("Waitlist · %(name)s") % {"name": facility.name}
    return page_frame.page(request, title=title, content=body, context=context)


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


def _csv_rows(ranked: QuerySet[Wish]):
    """The rows as plain values, read in chunks; labels are translated once per export, not per row
    (the generator runs while the response is sent, in the request's language)."""
    bands = {value: str(label) for value, label in AgeBand.choices}
    states = {value: str(label) for value, label in WishStatus.choices}
    explained: dict[tuple, str] = {}  # many families share the same points explanation
    for *row, matches in ranked.values_list(*CSV_COLUMNS, "matches").iterator(chunk_size=CSV_CHUNK):
        if not matches:
            continue
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
    facility = waitlist_facility(request, slug, timezone.localdate())
    form, filters = _filters(request, facility.bands)
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
        filename=filename,
        header=header,
        rows=_csv_rows(
            _ranked(facility, filters.age_band).annotate(matches=listing.matches(filters.condition))
        ),
    )


# --- actions: a form page (GET, or a POST with errors), the service call on a valid POST ---
