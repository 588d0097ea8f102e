"""The actions staff take on a waitlist: offer, reject, record a placement, withdraw, offer the next N, notes.

Every action first asks ``childcare.permissions`` (through the lookups), calls one service and goes back.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from childcare import permissions
from childcare.admissions import explanations
from childcare.admissions import offers as offer_services
from childcare.admissions import waitlist_actions as services
from childcare.admissions.proofs import CRITERION_LABELS
from childcare.backoffice import wording
from childcare.backoffice.forms import staff as forms
from childcare.backoffice.lookups import candidate, staff_facility
from childcare.backoffice.views.access import (
    act,
    posted,
    staff_application,
    waitlist_url,
)
from childcare.backoffice.views.waitlists import facility_bands, top_waiting_starts
from childcare.errors import DomainError
from childcare.models import (
    ActorKind,
    AgeBand,
    Offer,
    Placement,
    Wish,
)
from childcare.web import back_url
from portal import audit


def _offer_initial(wish: Wish) -> dict:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    return {
        "start_date": offer_services.start_date_for(wish.application, not_before=tomorrow),
        "answer_by": offer_services.default_deadline().date(),
    }


@login_required
def offer_make(request, slug, public_id):
    wish = candidate(request, slug, public_id)
    form = forms.OfferTermsForm(posted(request), initial=_offer_initial(wish))

    def perform():
        offer_services.make_offer(
            wish=wish, start_date=form.cleaned_data["start_date"], expires_at=form.expires_at, by=request.user
        )
        return _("The place was offered for %(reference)s. The family has been notified.") % {
            "reference": wish.application.reference
        }

    return act(
        request,
        form=form,
        perform=perform,
        back=back_url(request, waitlist_url(wish.facility, wish.age_band)),
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
    wish = candidate(request, slug, public_id)
    form = forms.RejectForm(posted(request))

    def perform():
        services.reject_wish(wish=wish, by=request.user, reason=form.cleaned_data["reason"])
        return _("The wish of %(reference)s was rejected. The family can read the reason.") % {
            "reference": wish.application.reference
        }

    return act(
        request,
        form=form,
        perform=perform,
        back=back_url(request, waitlist_url(wish.facility, wish.age_band)),
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
    wish = candidate(request, slug, public_id)
    form = forms.PlacementForm(posted(request), initial={"start_date": _offer_initial(wish)["start_date"]})

    def perform():
        services.record_placement(
            wish=wish,
            by=request.user,
            start_date=form.cleaned_data["start_date"],
            care_hours_per_week=form.cleaned_data["care_hours_per_week"],
        )
        return _("The placement for %(reference)s was recorded.") % {"reference": wish.application.reference}

    return act(
        request,
        form=form,
        perform=perform,
        back=back_url(request, waitlist_url(wish.facility, wish.age_band)),
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
    facility = staff_facility(request, slug)
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

    return act(
        request,
        form=forms.ConfirmForm(posted(request)),
        perform=perform,
        back=back_url(request, waitlist_url(facility, offer.wish.age_band)),
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
    facility = staff_facility(request, slug)
    bands, _places = facility_bands(facility)
    age_band = request.GET.get("age_band") if request.GET.get("age_band") in AgeBand.values else None
    age_band = age_band or (bands[0] if bands else AgeBand.UNDER_THREE)
    deadline = offer_services.default_deadline().date()
    form = forms.OfferNextForm(
        posted(request),
        initial={
            "age_band": age_band,
            "count": 1,
            "start_date": forms.suggested_start(top_waiting_starts(facility, age_band)),
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

    return act(
        request,
        form=form,
        perform=perform,
        back=back_url(request, waitlist_url(facility, form["age_band"].value() or AgeBand.UNDER_THREE)),
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


def _visible(facility_id: int, visible_ids: set[int] | None) -> bool:
    return visible_ids is None or facility_id in visible_ids


@login_required
def application_detail(request, public_id):
    """The application as staff may see it (``childcare.permissions``, need to know).

    The office sees everything. Staff see only their facilities' wishes, offers, placements and
    notes, the family's own timeline entries, the proofs, and the guardians' e-mail addresses once
    their facility made an offer or holds a placement.
    """
    application = staff_application(request, public_id, details=True)
    audit.record(request, action=audit.Action.READ, obj=application)
    user = request.user
    visible_ids = application.visible_facility_ids
    wishes = [wish for wish in application.wishes.all() if _visible(wish.facility_id, visible_ids)]
    for wish in wishes:
        wish.explained = explanations.explain_points(wish.points_explanation)
    offers = [offer for offer in application.offers.all() if _visible(offer.wish.facility_id, visible_ids)]
    for document in application.documents.all():
        document.label = CRITERION_LABELS.get(document.criterion, document.criterion)
    placements = Placement.objects.filter(child=application.child).select_related("facility")
    if visible_ids is not None:
        placements = placements.filter(facility_id__in=visible_ids)
    contact = permissions.can_see_guardian_contact(user, application, visible_ids=visible_ids or set())
    timeline = [
        {
            "event": event,
            "label": wording.event_label(event.kind),
            "actor": explanations.actor_label(event, for_staff=True),
            "email": event.actor.email
            if event.actor and (contact or event.actor_kind != ActorKind.FAMILY)
            else "",
        }
        for event in application.events.all()
        if permissions.can_view_event(user, event, visible_ids=visible_ids or set())
    ]
    context = {
        "application": application,
        "wishes": wishes,
        "offers": offers,
        "placements": placements,
        "guardian_emails": (
            list(application.child.guardianships.order_by("pk").values_list("user__email", flat=True))
            if contact
            else None
        ),
        "timeline": timeline,
        "note_form": forms.NoteForm(),
        "status_sentence": wording.status_sentence(application.status),
    }
    return render(request, "childcare/staff/application.html", context)


@login_required
def note_add(request, public_id):
    application = staff_application(request, public_id)
    form = forms.NoteForm(posted(request))

    def perform():
        services.add_note(application=application, by=request.user, text=form.cleaned_data["text"])
        return _("The note was added. The family does not see it.")

    return act(
        request,
        form=form,
        perform=perform,
        back=back_url(request, reverse("backoffice:application", args=[application.public_id])),
        context={
            "title": _("Add an internal note"),
            "intro": _("Only staff and the municipal office see notes."),
            "submit": _("Add the note"),
            "application": application,
        },
    )
