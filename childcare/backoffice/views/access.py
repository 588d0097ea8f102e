"""What every staff page shares: the application lookup (404 to outsiders), going back, one action."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from childcare import permissions
from childcare.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Facility,
    Offer,
    Wish,
)
from childcare.web import run_service

# --- lookups: each one asks the permissions module and answers 404 to outsiders ---


def staff_application(request, public_id, *, details: bool = False) -> Application:
    """A submitted application the user may see as staff (``permissions.can_staff_view_application``).

    Guardians are not let in here even for their own child: this page shows internal notes.
    ``application.visible_facility_ids`` is set to the facilities the user sees it for (``None``:
    the office, all of them), so the page shows only their part.
    """
    applications = Application.objects.select_related("child").prefetch_related(
        Prefetch("wishes", queryset=Wish.objects.select_related("facility").order_by("rank"))
    )
    if details:
        applications = applications.prefetch_related(
            Prefetch(
                "offers", queryset=Offer.objects.select_related("wish__facility").order_by("-created_at")
            ),
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.select_related("actor", "wish__facility", "facility"),
            ),
            "documents",
        )
    application = applications.filter(public_id=public_id).exclude(status=ApplicationStatus.DRAFT).first()
    if application is None:
        raise Http404
    user = request.user
    if permissions.is_municipal_office(user):
        application.visible_facility_ids = None
        return application
    visible = permissions.need_to_know_facility_ids(user, application)
    if not visible:
        raise Http404
    application.visible_facility_ids = visible
    return application


def waitlist_url(facility: Facility, age_band: str) -> str:
    return f"{reverse('backoffice:waitlist', args=[facility.slug])}?{urlencode({'age_band': age_band})}"


# --- "Meine Einrichtungen" ---


def posted(request):
    return request.POST if request.method == "POST" else None


def act(request, *, form, perform, back: str, context: dict):
    """Show ``form`` on the staff action page; on a valid POST run ``perform`` and go to ``back``.

    ``perform`` is one service call returning the success text (see ``run_service``); ``back``
    comes from ``back_url``, so it is checked before anything is written.
    """
    if request.method == "POST" and form.is_valid():
        run_service(request, perform)
        return redirect(back)
    return render(request, "childcare/staff/action.html", {**context, "form": form, "back": back})
