"""The audit log for the municipal office: search, filter, page through, download as CSV."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from childcare.backoffice.exports import csv_response
from childcare.backoffice.forms.audit import AuditFilterForm
from childcare.backoffice.views.planning import municipal_office_required
from portal import audit
from portal.models import AuditEntry

PER_PAGE = 100
CSV_CHUNK = 2000


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.order_by("-at", "-pk")
    return form, (form.filter(entries) if request.GET else entries)


@municipal_office_required
def audit_log(request):
    form, entries = _filtered(request)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "childcare/staff/audit_log.html",
        {
            "form": form,
            "page_obj": page,
            "query": query.urlencode(),
            "retention_months": settings.AUDIT_RETENTION_MONTHS,
        },
    )


@municipal_office_required
def audit_log_csv(request):
    form, entries = _filtered(request)
    filename = f"{slugify(_('audit log'))}-{timezone.localdate().isoformat()}.csv"
    # Reading the log is itself logged: who exported which part of it.
    audit.record(
        request, action=audit.Action.EXPORT, object_type="auditentry", detail=request.GET.urlencode()
    )
    header = [
        _("When"),
        _("Who"),
        _("Action"),
        _("Object type"),
        _("Object"),
        _("Detail"),
        _("Client address"),
    ]
    rows = (
        [e.at, e.actor_label, e.get_action_display(), e.object_type, e.object_ref, e.detail, e.client_address]
        for e in entries.iterator(chunk_size=CSV_CHUNK)
    )
    return csv_response(filename=filename, header=header, rows=rows)
