"""The municipal office's allocation rounds: create, compute, preview, publish, and their exports.

Only the municipal office sees these pages; everyone else gets 404. Each action calls one
service in ``childcare.allocation.rounds`` and shows its refusal as a message.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.admissions.offers import default_deadline
from childcare.allocation import publishing
from childcare.allocation import rounds as services
from childcare.backoffice.exports import csv_response
from childcare.backoffice.forms import rounds as forms
from childcare.backoffice.views.jobs import job_url
from childcare.models import AllocationRound, Placement, PlacementStatus, RoundApplicant, RoundProgram
from childcare.web import run_service
from portal import audit, fragments

ROUNDS_PER_PAGE = 25
RESULTS_PER_PAGE = 50
PROGRAMS_PER_PAGE = 25
CSV_CHUNK = 500
ROUND_SECTIONS_SECONDS = 300


def _require_office(request) -> None:
    if not permissions.is_municipal_office(request.user):
        raise Http404


def _round(request, public_id) -> AllocationRound:
    _require_office(request)
    # Written out: building and compiling the ORM's query cost more than running it.
    found = list(
        AllocationRound.objects.raw(
            f"SELECT * FROM {AllocationRound._meta.db_table} WHERE public_id = %s",  # noqa: S608
            [AllocationRound._meta.get_field("public_id").get_db_prep_value(public_id, connection)],
        )
    )
    if not found:
        raise Http404
    return found[0]


def _detail_url(round_: AllocationRound) -> str:
    return reverse("backoffice:round_detail", args=[round_.public_id])


# --- the list of rounds, and a new one ---


@login_required
def round_list(request):
    """All rounds, newest first, and the form for a new one."""
    _require_office(request)
    form = forms.RoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        round_ = None

        def create():
            nonlocal round_
            round_ = services.create_round(
                target_start_date=form.cleaned_data["target_start_date"], by=request.user
            )

        if run_service(request, create, success=_("The round was created. Compute it to see the preview.")):
            return redirect(_detail_url(round_))
    paginator = Paginator(AllocationRound.objects.all(), ROUNDS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "rounds": page.object_list,
        "form": form,
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
    }
    return render(request, "childcare/rounds/list.html", context)


# --- the preview ---


@dataclass(frozen=True)
class ResultRow:
    reference: str
    child: str
    result: str
    rank_reached: int | None
    best_position: str


def _program_label(program: RoundProgram | None) -> str:
    return f"{program.facility.name} ({program.get_age_band_display()})" if program else ""


def _result_row(row: RoundApplicant) -> ResultRow:
    """One applicant's result as people read it; ``row`` comes with ``services.RESULT_RELATIONS``."""
    return ResultRow(
        reference=row.application.reference,
        child=row.application.child.first_name,
        result=_program_label(row.program) if row.program else _("No place"),
        rank_reached=row.rank_reached,
        best_position=(
            _("Position %(position)s at %(program)s")
            % {"position": row.best_position, "program": _program_label(row.best_program)}
            if row.best_program
            else ""
        ),
    )


def _page(request, queryset, *, count: int, per_page: int, parameter: str):
    """A page of ``queryset`` whose size is known already (the round's totals)."""
    paginator = Paginator(queryset, per_page)
    paginator.count = count  # the cached property, set: no COUNT over the round's rows per request
    return paginator, paginator.get_page(request.GET.get(parameter))


@login_required
def round_detail(request, public_id):
    """Status, the totals, the fill per program and one page of results, each paged in SQL.

    Queries, whatever the number of applicants: the round (with its totals, counted in SQL
    when it was computed), the page of programs with their facilities, the page of results
    with their applications, children and programs, once publishing has started its job;
    plus the session, the user and the layout's own.
    """
    round_ = _round(request, public_id)
    published = round_.status in (AllocationRound.Status.PUBLISHING, AllocationRound.Status.PUBLISHED)
    # A computed round's figures and rows change only when it is computed again or published: its
    # sections are rendered once per state, page and language and kept (portal.fragments).
    state = (round_.pk, round_.status, round_.computed_at, round_.published_at, request.GET.urlencode())
    context = {
        "round": round_,
        "sections": mark_safe(  # noqa: S308 (our template's output)
            fragments.kept_for(
                "round-sections",
                state,
                lambda: _round_sections(request, round_),
                timeout=ROUND_SECTIONS_SECONDS,
            )
        )
        if round_.status != AllocationRound.Status.DRAFT
        else "",
        "published": published,
        "computed": round_.status == AllocationRound.Status.COMPUTED,
        "publish_job": publishing.latest_publish_job(round_) if published else None,
    }
    return render(request, "childcare/rounds/detail.html", context)


def _round_sections(request, round_: AllocationRound) -> str:
    totals = round_.statistics
    fill_paginator, fill_page = _page(
        request,
        services.round_programs(round=round_),
        count=totals.get("programs", 0),
        per_page=PROGRAMS_PER_PAGE,
        parameter="programs",
    )
    paginator, page = _page(
        request,
        services.round_results(round=round_),
        count=totals.get("applicants", 0),
        per_page=RESULTS_PER_PAGE,
        parameter="page",
    )
    context = {
        "round": round_,
        "statistics": totals,
        "fill": [
            (program.facility.name, program.get_age_band_display(), program.filled, program.seats)
            for program in fill_page.object_list
        ],
        "fill_page": fill_page,
        "fill_previous": _page_url(request, "programs", fill_page.previous_page_number())
        if fill_page.has_previous()
        else None,
        "fill_next": _page_url(request, "programs", fill_page.next_page_number())
        if fill_page.has_next()
        else None,
        "results": [_result_row(row) for row in page.object_list],
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
    }
    return render_to_string("childcare/rounds/_sections.html", context, request=request)


def _page_url(request, parameter: str, number: int) -> str:
    query = request.GET.copy()
    query[parameter] = number
    return f"?{query.urlencode()}#fill"


# --- actions ---


@login_required
def round_compute(request, public_id):
    round_ = _round(request, public_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])

    def compute():
        stats = services.compute_round(round=round_, by=request.user).statistics
        return _("The round was computed: %(matched)s of %(applicants)s children get a place.") % {
            "matched": stats["matched"],
            "applicants": stats["applicants"],
        }

    run_service(request, compute)
    return redirect(_detail_url(round_))


@login_required
def round_publish(request, public_id):
    """A confirmation page with the offers' deadline; the POST starts publishing in the background.

    Publishing a city's round takes minutes: the page queues a job and shows its progress page.
    """
    round_ = _round(request, public_id)
    if round_.status == AllocationRound.Status.DRAFT:
        # A draft has no results to publish nor the statistics this page shows.
        messages.error(request, _("Compute the round before publishing it."))
        return redirect(_detail_url(round_))
    form = forms.PublishForm(
        request.POST if request.method == "POST" else None,
        initial={"answer_by": default_deadline().date()},
    )
    if request.method == "POST" and form.is_valid():
        job = None

        def publish():
            nonlocal job
            job = publishing.start_publishing(round=round_, by=request.user, expires_at=form.expires_at)

        success = _("Publishing has started. The offers are made and the families told in the background.")
        if run_service(request, publish, success=success):
            return redirect(job_url(job))
        return redirect(_detail_url(round_))
    return render(
        request,
        "childcare/rounds/publish.html",
        {"round": round_, "statistics": round_.statistics, "form": form},
    )


# --- exports ---


def _result_rows(round_: AllocationRound):
    for row in services.round_results(round=round_).iterator(chunk_size=CSV_CHUNK):
        result = _result_row(row)
        yield [result.reference, result.child, result.result, result.rank_reached, result.best_position]


@login_required
def round_results_csv(request, public_id):
    round_ = _round(request, public_id)
    header = [_("Reference number"), _("Child"), _("Result"), _("Wish rank reached"), _("Best position")]
    filename = f"{slugify(_('allocation round'))}-{round_.target_start_date.isoformat()}.csv"
    audit.record(request, action=audit.Action.EXPORT, obj=round_, detail=filename)
    return csv_response(filename=filename, header=header, rows=_result_rows(round_))


def _placement_rows():
    placements = (
        Placement.objects.filter(status=PlacementStatus.ACTIVE)
        .select_related("child", "facility", "source_offer__application")
        .order_by("facility__name", "start_date", "pk")
    )
    for placement in placements.iterator(chunk_size=CSV_CHUNK):
        offer = placement.source_offer
        yield [
            offer.application.reference if offer else "",
            placement.child.first_name,
            placement.facility.name,
            placement.facility.district,
            placement.get_age_band_display(),
            placement.start_date,
            placement.end_date,
            placement.care_hours_per_week,
        ]


@login_required
def placements_csv(request):
    """Every active placement, for the municipality's own planning and statistics."""
    _require_office(request)
    header = [
        _("Reference number"),
        _("Child"),
        _("Facility"),
        _("District"),
        _("Age band"),
        _("Start"),
        _("End"),
        _("Care scope (hours per week)"),
    ]
    filename = f"{slugify(_('placements'))}-{timezone.localdate().isoformat()}.csv"
    audit.record(request, action=audit.Action.EXPORT, object_type="placement", detail=filename)
    return csv_response(filename=filename, header=header, rows=_placement_rows())
