"""The municipal office's allocation rounds: create, compute, preview, publish, and their exports.

Only the municipal office sees these pages; everyone else gets 404. Each action calls one
service in ``childcare.allocation.rounds`` and shows its refusal as a message.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import IntegerField, JSONField
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.admissions.offers import default_deadline
from childcare.allocation import publishing
from childcare.allocation import rounds as services
from childcare.backoffice.exports import csv_response
from childcare.backoffice.forms import rounds as forms
from childcare.backoffice.views.jobs import job_url
from childcare.models import AgeBand, AllocationRound, Application, Placement, PlacementStatus
from childcare.web import run_service
from portal import audit

ROUNDS_PER_PAGE = 25
RESULTS_PER_PAGE = 100
CSV_CHUNK = 500


def _require_office(request) -> None:
    if not permissions.is_municipal_office(request.user):
        raise Http404


def _round(request, public_id, *, defer: tuple[str, ...] = ()) -> AllocationRound:
    _require_office(request)
    round_ = AllocationRound.objects.filter(public_id=public_id).defer(*defer).first()
    if round_ is None:
        raise Http404
    return round_


def _detail_url(round_: AllocationRound) -> str:
    return reverse("backoffice:round_detail", args=[round_.public_id])


class _StoredResults(Sequence):
    """A round's results list as the paginator reads it: on PostgreSQL the database counts the
    JSON array and hands over only the page's slice, so a preview of 100,000 results decodes 100
    in Python, not all of them (other databases load the list)."""

    def __init__(self, round_: AllocationRound):
        self.round = round_
        self.rows = AllocationRound.objects.filter(pk=round_.pk)
        self.in_database = connection.vendor == "postgresql"
        self._count = self._loaded = None

    def _all(self) -> list[dict]:
        if self._loaded is None:
            self._loaded = self.rows.values_list("results", flat=True).get()
        return self._loaded

    def count(self) -> int:
        if self._count is None:
            if self.in_database:
                length = RawSQL("jsonb_array_length(results)", [], output_field=IntegerField())
                self._count = self.rows.annotate(length=length).values_list("length", flat=True).get() or 0
            else:
                self._count = len(self._all())
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or not self.in_database:
            return self._all()[index]
        start, stop, _step = index.indices(self.count())
        if stop <= start:
            return []
        path = f"$[{start} to {stop - 1}]"
        page = RawSQL("jsonb_path_query_array(results, %s::jsonpath)", [path], output_field=JSONField())
        return self.rows.annotate(page=page).values_list("page", flat=True).get()


# --- the list of rounds, and a new one ---


@login_required
def round_list(request):
    """All rounds, newest first (without their large inputs and results), and the form for a new one."""
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
    paginator = Paginator(AllocationRound.objects.defer("snapshot", "results"), ROUNDS_PER_PAGE)
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


class _Programs:
    """Names "facility_id:band" program keys as people read them: facility name and age band."""

    def __init__(self, round_: AllocationRound):
        self.names = services.facility_names(round_)  # one query

    def parts(self, program: str) -> tuple[str, str]:
        facility_id, band = program.split(":")
        return self.names.get(int(facility_id), "?"), AgeBand(band).label

    def label(self, program: str) -> str:
        name, band = self.parts(program)
        return f"{name} ({band})"

    def rows(self, results: list[dict], applications: dict[int, Application]) -> list[ResultRow]:
        rows = []
        for result in results:
            application = applications.get(result["application"])
            best = result["best_position"]
            rows.append(
                ResultRow(
                    reference=application.reference if application else "",
                    child=application.child.first_name if application else "",
                    result=self.label(result["program"]) if result["program"] else _("No place"),
                    rank_reached=result["rank_reached"],
                    best_position=(
                        _("Position %(position)s at %(program)s")
                        % {"position": best[0], "program": self.label(best[1])}
                        if best
                        else ""
                    ),
                )
            )
        return rows


def _applications(results: list[dict]) -> dict[int, Application]:
    """The applications of ``results`` with their children, in one query."""
    return Application.objects.select_related("child").in_bulk([r["application"] for r in results])


@login_required
def round_detail(request, public_id):
    """Status, statistics, fill per program and one page of results.

    Queries, whatever the number of applicants: the round (without its inputs and results),
    the results' count and the page of them, the facility names, the page's applications with
    their children, once publishing has started its job; plus the session,
    the user and the layout's own.
    """
    round_ = _round(request, public_id, defer=("snapshot", "results"))
    published = round_.status in (AllocationRound.Status.PUBLISHING, AllocationRound.Status.PUBLISHED)
    programs = _Programs(round_)
    fill = sorted(
        (*programs.parts(program), matched, seats)
        for program, (matched, seats) in round_.statistics.get("fill", {}).items()
    )
    paginator = Paginator(_StoredResults(round_), RESULTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    results = list(page.object_list)
    context = {
        "round": round_,
        "statistics": round_.statistics,
        "fill": fill,
        "results": programs.rows(results, _applications(results)),
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
        "published": published,
        "computed": round_.status == AllocationRound.Status.COMPUTED,
        "publish_job": publishing.latest_publish_job(round_) if published else None,
    }
    return render(request, "childcare/rounds/detail.html", context)


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
    programs = _Programs(round_)
    for start in range(0, len(round_.results), CSV_CHUNK):
        chunk = round_.results[start : start + CSV_CHUNK]
        for row in programs.rows(chunk, _applications(chunk)):
            yield [row.reference, row.child, row.result, row.rank_reached, row.best_position]


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
