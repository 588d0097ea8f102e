"""PDF downloads for the child's guardians, staff of the facility concerned and the municipal office.

Anyone else gets a 404, as for a document that does not exist. Guardians get the PDF in the
language of their account (the one their e-mails use); staff in the language of the page.
"""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header

from childcare import permissions
from childcare.letters import ApplicationReceipt, OfferLetter, PlacementConfirmation
from childcare.letters.base import PDF_MIMETYPE, PdfDocument
from portal import audit


def _download(request, document: PdfDocument, public_id, *, child_of: Callable, may_view: Callable):
    try:
        obj = document.get_queryset().get(public_id=public_id)
    except ObjectDoesNotExist:
        raise Http404 from None
    guardian = permissions.is_guardian(request.user, child_of(obj))
    if not (guardian or may_view(request.user, obj)):
        raise Http404
    if not guardian:  # staff and office reads of applicant data are logged; the family's own are not
        audit.record(request, action=audit.Action.READ, obj=obj, detail=document.filename(obj, language="en"))
    language = request.user.language if guardian else translation.get_language()
    response = HttpResponse(document.render(obj, language=language), content_type=PDF_MIMETYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.filename(obj, language=language)
    )
    # Personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def application_receipt_pdf(request, public_id):
    return _download(
        request,
        ApplicationReceipt(),
        public_id,
        child_of=lambda application: application.child,
        may_view=permissions.can_view_application,
    )


@login_required
def offer_letter_pdf(request, public_id):
    return _download(
        request,
        OfferLetter(),
        public_id,
        child_of=lambda offer: offer.application.child,
        may_view=permissions.can_view_offer,
    )


@login_required
def placement_confirmation_pdf(request, public_id):
    return _download(
        request,
        PlacementConfirmation(),
        public_id,
        child_of=lambda placement: placement.child,
        may_view=permissions.can_view_placement,
    )
