"""The municipal office's planning page and its unmet-demand download; everyone else gets 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.allocation import planning
from childcare.backoffice.exports import csv_response
from portal import audit, fragments
from portal.models import PortalSettings


def municipal_office_required(view):
    """Sign-in first; then only the municipal office, as if the page did not exist for others."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.is_municipal_office(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapper)


@municipal_office_required
def overview(request):
    """Free places per month for the town and each district, and the unmet demand below.

    The figures are at most ``planning.OVERVIEW_MAX_AGE`` old (the page says when they were
    computed); the tables (hundreds of kilobytes at city scale) are rendered once per
    computation and language and kept (``portal.fragments``).
    """
    today = timezone.localdate()
    portal = PortalSettings.load()
    stamp = planning.overview_stamp(portal=portal, today=today)

    def render_tables() -> dict:
        overview = planning.planning_overview(portal=portal, today=today)
        context = {"plan": overview.plan, "demand": overview.demand}
        return {
            "computed_at": overview.computed_at,
            "tables": render_to_string("childcare/planning/_tables.html", context, request=request),
        }

    timeout = int(planning.OVERVIEW_MAX_AGE.total_seconds())
    kept = fragments.kept_for("planning-tables", [stamp], render_tables, timeout=timeout)
    context = {
        "tables": mark_safe(kept["tables"]),  # noqa: S308 (our template's output)
        "computed_at": kept["computed_at"],
        "today": today,
    }
    return render(request, "childcare/planning/overview.html", context)


@municipal_office_required
def unmet_demand_csv(request):
    today = timezone.localdate()
    demand = planning.planning_overview(portal=PortalSettings.load(), today=today).demand
    header = [_("District"), _("Age band"), _("Applications without a place"), _("Of these overdue")]
    rows = ([row.district, row.label, row.applications, row.overdue] for row in demand.rows)
    filename = f"{slugify(_('unmet demand'))}-{today}.csv"
    audit.record(request, action=audit.Action.EXPORT, object_type="unmet_demand", detail=filename)
    return csv_response(filename=filename, header=header, rows=rows)
