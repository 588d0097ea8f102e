"""The municipal office's planning page and its unmet-demand download; everyone else gets 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.allocation import planning
from childcare.backoffice.exports import csv_response
from portal import audit
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
    """Free places per month for the town and each district, and the unmet demand below."""
    today = timezone.localdate()
    portal = PortalSettings.load()
    context = {
        "plan": planning.free_places_by_month(portal=portal, today=today),
        "demand": planning.unmet_demand(portal=portal, today=today),
        "today": today,
    }
    return render(request, "childcare/planning/overview.html", context)


@municipal_office_required
def unmet_demand_csv(request):
    today = timezone.localdate()
    demand = planning.unmet_demand(portal=PortalSettings.load(), today=today)
    header = [_("District"), _("Age band"), _("Applications without a place"), _("Of these overdue")]
    rows = ([row.district, row.label, row.applications, row.overdue] for row in demand.rows)
    filename = f"{slugify(_('unmet demand'))}-{today}.csv"
    audit.record(request, action=audit.Action.EXPORT, object_type="unmet_demand", detail=filename)
    return csv_response(filename=filename, header=header, rows=rows)
