"""Facility staff's pages: their facilities, each facility's ranked waitlist, and the actions on it.

Every page and action first asks ``childcare.permissions``. A facility or application the
user does not work for answers 404, exactly as if it did not exist; the municipal office
may look and act everywhere. Each action calls one service and goes back to the list.
"""

import datetime
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
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from childcare import capacity, explanations, permissions, waitlist
from childcare.errors import DomainError
from childcare.exports import csv_response
from childcare.forms import staff as forms
from childcare.models import (
    AgeBand,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Facility,
    Offer,
    OfferStatus,
    Wish,
    WishStatus,
)
from childcare.search import AGE_BAND_ORDER, occupancies_by_band
from childcare.services import offers as offer_services
from childcare.services import staff as services

WAITLIST_PER_PAGE = 50
FACILITIES_PER_PAGE = 25
CSV_CHUNK = 500


# --- lookups: each one asks the permissions module and answers 404 to outsiders ---


def _staff_facility(request, slug: str) -> Facility:
    facility = Facility.objects.filter(slug=slug).first()
    if facility is None or not permissions.is_facility_staff(request.user, facility):
        raise Http404
    return facility


def _candidate(request, slug: str, public_id) -> Wish:
    """The wish of application ``public_id`` for the facility ``slug``, if the user works there."""
    facility = _staff_facility(request, slug)
    wish = (
        Wish.objects.select_related("application__child", "facility")
        .filter(facility=facility, application__public_id=public_id)
        .exclude(application__status=ApplicationStatus.DRAFT)
        .first()
    )
    if wish is None:
        raise Http404
    return wish


def _staff_application(request, public_id, *, details: bool = False) -> Application:
    """A submitted application the user may see as staff: one of its wishes is for their facility.

    Guardians are not let in here even for their own child: this page shows internal notes.
    """
    applications = Application.objects.select_related("child").prefetch_related(
        Prefetch("wishes", queryset=Wish.objects.select_related("facility").order_by("rank"))
    )
    if details:
        applications = applications.prefetch_related(
            Prefetch(
                "offers", queryset=Offer.objects.select_related("wish__facility").order_by("-created_at")
            ),
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor", "wish__facility")),
        )
    application = applications.filter(public_id=public_id).exclude(status=ApplicationStatus.DRAFT).first()
    if application is None:
        raise Http404
    user = request.user
    if not permissions.is_municipal_office(user) and not any(
        permissions.is_facility_staff(user, wish.facility) for wish in application.wishes.all()
    ):
        raise Http404
    return application


def _back(request, default: str) -> str:
    """Where to return after an action: the page it came from (with its filters), if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _waitlist_url(facility: Facility, age_band: str) -> str:
    return f"{reverse('staff:waitlist', args=[facility.slug])}?{urlencode({'age_band': age_band})}"


# --- "Meine Einrichtungen" ---


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


def _page_of_candidates(entries: list[tuple[int, int]]) -> list[Wish]:
    """Load the wishes of one page (given as (pk, position) in list order) with what the rows show.

    Two queries: the wishes with application and child, and their open offers.
    """
    wishes = Wish.objects.filter(pk__in=[pk for pk, _position in entries]).select_related(
        "application__child"
    )
    wishes = wishes.prefetch_related(
        Prefetch("offers", queryset=Offer.objects.filter(status=OfferStatus.OPEN), to_attr="open_offers")
    )
    found = {wish.pk: wish for wish in wishes}
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = []
    for pk, position in entries:
        wish = found.get(pk)
        if wish is None:  # left the list between the two reads
            continue
        desired = wish.application.desired_start_date
        wish.position = position
        wish.explained = explanations.explain_points(wish.points_explanation)
        wish.open_offer = wish.open_offers[0] if wish.open_offers else None
        wish.offer_start = desired if desired and desired >= tomorrow else tomorrow
        page.append(wish)
    return page


def _facility_bands(facility: Facility) -> tuple[list[str], dict[str, int]]:
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
    the layout's portal settings and inbox badge that makes 13 (12 for the municipal office).
    """
    facility = _staff_facility(request, slug)
    bands, places = _facility_bands(facility)
    form, filters = _filters(request, bands)
    today = timezone.localdate()
    taken = capacity.occupancies(facility_id=facility.pk, age_band=filters.age_band, from_date=today)
    ranked = _ranked(facility, filters.age_band).values_list(
        "pk", "position", "status", "application__desired_start_date"
    )
    total = 0
    entries = []
    for pk, position, status, desired_start in ranked:
        total += 1
        if filters.matches(status, desired_start):
            entries.append((pk, position))
    paginator = Paginator(entries, WAITLIST_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    deadline = offer_services.default_deadline()  # reads the portal settings
    tomorrow = today + datetime.timedelta(days=1)
    band_places = places.get(filters.age_band, 0)
    context = {
        "facility": facility,
        "form": form,
        "filters": filters,
        "age_band_label": AgeBand(filters.age_band).label,
        "candidates": _page_of_candidates(list(page.object_list)),
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
                "start_date": tomorrow,
                "answer_by": deadline.date(),
            }
        ),
    }
    return render(request, "childcare/staff/waitlist.html", context)


def _csv_rows(ranked: QuerySet[Wish], filters: WaitlistFilters):
    for wish in ranked.select_related("application__child").iterator(chunk_size=CSV_CHUNK):
        application = wish.application
        if not filters.matches(wish.status, application.desired_start_date):
            continue
        yield [
            wish.position,
            application.reference,
            application.child.first_name,
            wish.get_age_band_display(),
            application.desired_start_date,
            application.care_hours_per_week,
            wish.rank,
            wish.points,
            ", ".join(explanations.explain_points(wish.points_explanation)),
            application.submitted_at,
            wish.get_status_display(),
        ]


@login_required
def waitlist_csv(request, slug):
    """The waitlist with the page's filters as a CSV download: every matching row, streamed."""
    facility = _staff_facility(request, slug)
    bands, _places = _facility_bands(facility)
    form, filters = _filters(request, bands)
    if form.errors:
        messages.error(request, _("Please correct the filters before exporting."))
        return redirect(f"{reverse('staff:waitlist', args=[facility.slug])}?{request.GET.urlencode()}")
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
    return csv_response(
        filename=filename, header=header, rows=_csv_rows(_ranked(facility, filters.age_band), filters)
    )


# --- actions: a form page (GET, or a POST with errors), the service call on a valid POST ---


def _data(request):
    return request.POST if request.method == "POST" else None


def _act(request, *, form, perform, back: str, context: dict):
    """Show ``form``; on a valid POST run ``perform`` (one service call, returning the success text).

    A domain refusal is shown as a message; either way the user returns to ``back``.
    """
    if request.method == "POST" and form.is_valid():
        try:
            success = perform()
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, success)
        return redirect(back)
    return render(request, "childcare/staff/action.html", {**context, "form": form, "back": back})


def _offer_initial(wish: Wish) -> dict:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    desired = wish.application.desired_start_date
    return {
        "start_date": desired if desired and desired >= tomorrow else tomorrow,
        "answer_by": offer_services.default_deadline().date(),
    }


@login_required
def offer_make(request, slug, public_id):
    wish = _candidate(request, slug, public_id)
    form = forms.OfferTermsForm(_data(request), initial=_offer_initial(wish))

    def perform():
        offer_services.make_offer(
            wish=wish, start_date=form.cleaned_data["start_date"], expires_at=form.expires_at, by=request.user
        )
        return _("The place was offered for %(reference)s. The family has been notified.") % {
            "reference": wish.application.reference
        }

    return _act(
        request,
        form=form,
        perform=perform,
        back=_back(request, _waitlist_url(wish.facility, wish.age_band)),
        context={
            "title": _("Offer a place"),
            "intro": _("The family is notified at once and can accept until the end of the deadline day."),
            "submit": _("Make the offer"),
            "wish": wish,
            "facility": wish.facility,
        },
    )


@login_required
def wish_reject(request, slug, public_id):
    wish = _candidate(request, slug, public_id)
    form = forms.RejectForm(_data(request))

    def perform():
        services.reject_wish(wish=wish, by=request.user, reason=form.cleaned_data["reason"])
        return _("The wish of %(reference)s was rejected. The family can read the reason.") % {
            "reference": wish.application.reference
        }

    return _act(
        request,
        form=form,
        perform=perform,
        back=_back(request, _waitlist_url(wish.facility, wish.age_band)),
        context={
            "title": _("Reject the wish"),
            "intro": _("The child leaves this facility's waitlist. The family is told, with your reason."),
            "submit": _("Reject"),
            "danger": True,
            "wish": wish,
            "facility": wish.facility,
        },
    )


@login_required
def placement_record(request, slug, public_id):
    wish = _candidate(request, slug, public_id)
    form = forms.PlacementForm(_data(request), initial={"start_date": _offer_initial(wish)["start_date"]})

    def perform():
        services.record_placement(
            wish=wish,
            by=request.user,
            start_date=form.cleaned_data["start_date"],
            care_hours_per_week=form.cleaned_data["care_hours_per_week"],
        )
        return _("The placement for %(reference)s was recorded.") % {"reference": wish.application.reference}

    return _act(
        request,
        form=form,
        perform=perform,
        back=_back(request, _waitlist_url(wish.facility, wish.age_band)),
        context={
            "title": _("Record a placement"),
            "intro": _(
                "For a place agreed outside the portal. The child gets the place at once; "
                "the family's other wishes end."
            ),
            "submit": _("Record the placement"),
            "wish": wish,
            "facility": wish.facility,
        },
    )


@login_required
def offer_withdraw(request, slug, public_id):
    facility = _staff_facility(request, slug)
    offer = (
        Offer.objects.select_related("wish__facility", "application__child")
        .filter(public_id=public_id, wish__facility=facility)
        .first()
    )
    if offer is None:
        raise Http404

    def perform():
        offer_services.withdraw_offer(offer=offer, by=request.user)
        return _("The offer for %(reference)s was withdrawn; the wish is back on the waitlist.") % {
            "reference": offer.application.reference
        }

    return _act(
        request,
        form=forms.ConfirmForm(_data(request)),
        perform=perform,
        back=_back(request, _waitlist_url(facility, offer.wish.age_band)),
        context={
            "title": _("Withdraw the offer"),
            "intro": _("The family can no longer accept this offer. The wish goes back on the waitlist."),
            "submit": _("Withdraw the offer"),
            "danger": True,
            "wish": offer.wish,
            "offer": offer,
            "facility": facility,
        },
    )


@login_required
def offer_next(request, slug):
    facility = _staff_facility(request, slug)
    bands, _places = _facility_bands(facility)
    age_band = request.GET.get("age_band") if request.GET.get("age_band") in AgeBand.values else None
    deadline = offer_services.default_deadline().date()
    form = forms.OfferNextForm(
        _data(request),
        initial={
            "age_band": age_band or (bands[0] if bands else AgeBand.UNDER_THREE),
            "count": 1,
            "start_date": timezone.localdate() + datetime.timedelta(days=1),
            "answer_by": deadline,
        },
    )

    def perform():
        offers = services.offer_next(
            facility=facility,
            age_band=form.cleaned_data["age_band"],
            start_date=form.cleaned_data["start_date"],
            by=request.user,
            count=form.cleaned_data["count"],
            expires_at=form.expires_at,
        )
        if not offers:
            raise DomainError(_("No offer was made: no candidate on this list is waiting for one."))
        return ngettext(
            "%(count)s offer was made. The family has been notified.",
            "%(count)s offers were made. The families have been notified.",
            len(offers),
        ) % {"count": len(offers)}

    return _act(
        request,
        form=form,
        perform=perform,
        back=_back(request, _waitlist_url(facility, form["age_band"].value() or AgeBand.UNDER_THREE)),
        context={
            "title": _("Offer the next places"),
            "intro": _(
                "The candidates at the top of the list who are waiting get an offer, "
                "never more than there are free places."
            ),
            "submit": _("Make the offers"),
            "facility": facility,
        },
    )


# --- one application, as staff see it ---


@login_required
def application_detail(request, public_id):
    """The application with all wishes, offers and the full timeline, internal notes included."""
    application = _staff_application(request, public_id, details=True)
    for wish in application.wishes.all():
        wish.explained = explanations.explain_points(wish.points_explanation)
    timeline = [
        {
            "event": event,
            "label": _("Internal note") if event.kind == "note" else explanations.event_label(event.kind),
        }
        for event in application.events.all()
    ]
    context = {
        "application": application,
        "timeline": timeline,
        "note_form": forms.NoteForm(),
        "status_sentence": explanations.status_sentence(application.status),
    }
    return render(request, "childcare/staff/application.html", context)


@login_required
def note_add(request, public_id):
    application = _staff_application(request, public_id)
    form = forms.NoteForm(_data(request))

    def perform():
        services.add_note(application=application, by=request.user, text=form.cleaned_data["text"])
        return _("The note was added. The family does not see it.")

    return _act(
        request,
        form=form,
        perform=perform,
        back=_back(request, reverse("staff:application", args=[application.public_id])),
        context={
            "title": _("Add an internal note"),
            "intro": _("Only staff and the municipal office see notes."),
            "submit": _("Add the note"),
            "application": application,
        },
    )
