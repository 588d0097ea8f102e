"""The progress page of a background job (publishing a round, re-scoring after a policy change).

Only the municipal office sees it; everyone else gets 404. The page reads the job's row, so
a reload shows the truth; while the job runs the page refreshes itself (a meta refresh, no
script needed).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from childcare import jobs, permissions
from childcare.admissions.transitions.offer_bulk import RefusalReason
from childcare.errors import DomainError
from childcare.models import BackgroundJob

REFRESH_SECONDS = 2


def _job(request, public_id) -> BackgroundJob:
    if not permissions.is_municipal_office(request.user):
        raise Http404
    job = (
        BackgroundJob.objects.select_related("allocation_round", "requested_by")
        .filter(public_id=public_id)
        .first()
    )
    if job is None:
        raise Http404
    return job


def job_url(job: BackgroundJob) -> str:
    return reverse("backoffice:job_progress", args=[job.public_id])


@login_required
def job_progress(request, public_id):
    """Done of total, then the outcome, or the error and what to do about it."""
    job = _job(request, public_id)
    refused = job.outcome.get("refused", [])
    context = {
        "job": job,
        "refusals": [(r["reference"], RefusalReason(r["reason"]).label) for r in refused],
        "refresh_seconds": REFRESH_SECONDS if job.is_live else None,
        "publishing": job.kind == BackgroundJob.Kind.ROUND_PUBLISH,
    }
    return render(request, "childcare/jobs/progress.html", context)


@login_required
def job_resume(request, public_id):
    job = _job(request, public_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        jobs.resume_job(job=job, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The job was started again; it continues where it stopped."))
    return redirect(job_url(job))
