"""Uploading, listing and downloading the proofs attached to an application."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from childcare import permissions
from childcare.admissions import applications
from childcare.admissions import proofs as services
from childcare.admissions.proofs import CRITERION_LABELS
from childcare.admissions.selectors import application_for_guardian
from childcare.models import Application, ApplicationDocument
from childcare.parents.forms.applications import CriteriaForm
from childcare.web import run_service
from portal import audit
from portal.models import PortalSettings


class UploadForm(forms.Form):
    criterion = forms.ChoiceField(
        label=gettext_lazy("What does the document prove?"), choices=CRITERION_LABELS.items()
    )
    file = forms.FileField(label=gettext_lazy("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("PDF, JPEG or PNG, at most %(size)s.") % {
            "size": filesizeformat(settings.UPLOAD_MAX_BYTES)
        }


def attach_posted_document(request, application: Application) -> None:
    """Attach the uploaded proof in this request, with a message either way."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return
    run_service(
        request,
        lambda: services.attach_document(
            application=application,
            by=request.user,
            criterion=form.cleaned_data["criterion"],
            upload=form.cleaned_data["file"],
        ),
        success=_("The document was uploaded."),
    )


def _keep_posted_answers(request, application: Application) -> None:
    """The upload button sits in the criteria form: save the answers given so far first."""
    form = CriteriaForm(
        request.POST, instance=application, municipality=PortalSettings.load().municipality_name
    )
    answers = form.changed_answers()
    if not answers:
        return
    run_service(
        request,
        lambda: applications.update_application(application=application, by=request.user, criteria=answers),
    )


@require_POST
@login_required
def document_upload(request, public_id):
    try:
        application = application_for_guardian(user=request.user, public_id=public_id)
    except Application.DoesNotExist:
        raise Http404 from None
    _keep_posted_answers(request, application)
    attach_posted_document(request, application)
    return redirect("parents:application_step_criteria", application.public_id)


def _document(request, public_id, *, may=permissions.can_view_document) -> ApplicationDocument:
    """The proof if ``may`` allows it; otherwise a 404 that names nothing (no id, no redirect)."""
    document = (
        ApplicationDocument.objects.select_related("application__child").filter(public_id=public_id).first()
    )
    if document is None or not may(request.user, document):
        raise Http404
    return document


@login_required
def document_download(request, public_id):
    document = _document(request, public_id)
    if not permissions.can_manage_application(request.user, document.application):
        audit.record(request, action=audit.Action.READ, obj=document, detail=document.criterion)
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="document-{document.public_id}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@login_required
def document_delete(request, public_id):
    document = _document(request, public_id, may=permissions.can_delete_document)
    run_service(
        request,
        lambda: services.remove_document(document=document, by=request.user),
        success=_("The document was removed."),
    )
    return redirect("parents:application_step_criteria", document.application.public_id)
