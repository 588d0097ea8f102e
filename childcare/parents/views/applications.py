"""The parents' application wizard and status pages. Every step saves the draft."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childcare.actors import SYSTEM
from childcare.admissions import applications as services
from childcare.admissions import explanations, reconfirmation, waitlist
from childcare.admissions.applications import facility_problems
from childcare.admissions.selectors import application_for_guardian, applications_of, children_of
from childcare.errors import DomainError
from childcare.models import (
    OPEN_APPLICATION_STATUSES,
    WAITING_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
    Facility,
    OfferStatus,
    PriorityPolicy,
    WishStatus,
)
from childcare.parents.basket import basket, clear_basket
from childcare.parents.forms.applications import ChooseChildForm, CriteriaForm, StartForm, SubmitForm
from childcare.parents.views import proofs
from portal.models import PortalSettings

STEPS = [
    ("parents:application_step_start", _("Start and care scope")),
    ("parents:application_step_wishes", _("Wishes")),
    ("parents:application_step_criteria", _("Criteria")),
    ("parents:application_step_review", _("Review and submit")),
]


def _own(request, public_id) -> Application:
    try:
        return application_for_guardian(user=request.user, public_id=public_id)
    except Application.DoesNotExist:
        raise Http404 from None


def _editable(request, application) -> bool:
    """Steps stay open for drafts and, until an offer is made, for submitted applications."""
    if application.status == ApplicationStatus.DRAFT:
        return True
    has_offer = any(offer.status == OfferStatus.OPEN for offer in application.offers.all())
    if application.status in WAITING_APPLICATION_STATUSES and not has_offer:
        return True
    messages.error(request, _("This application can no longer be changed."))
    return False


def _step_context(application, current, **extra):
    steps = [
        {"url": reverse(name, args=[application.public_id]), "label": label, "current": name == current}
        for name, label in STEPS
    ]
    return {"application": application, "steps": steps, **extra}


def _run(request, action) -> bool:
    """Run a service call; show its domain error and report success."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    return True


@login_required
def application_list(request):
    applications = list(applications_of(request.user))
    all_wishes = [wish for application in applications for wish in application.wishes.all()]
    places = waitlist.positions(all_wishes)
    show_positions = PriorityPolicy.load().show_positions_to_parents
    for application in applications:
        application.sentence = explanations.status_sentence(application.status)
        application.open_offer = next(
            (o for o in application.offers.all() if o.status == OfferStatus.OPEN), None
        )
        for wish in application.wishes.all():
            wish.position = places.get(wish.pk) if show_positions else None
            wish.explained = explanations.explain_points(wish.points_explanation)
        application.timeline = [
            {
                "event": event,
                "label": explanations.event_label(event),
                "actor": explanations.actor_label(event),
            }
            for event in application.events.all()
        ]
    return render(request, "childcare/applications/list.html", {"applications": applications})


@login_required
def application_detail(request, public_id):
    application = _own(request, public_id)
    return redirect(f"{reverse('parents:application_list')}#application-{application.public_id}")


@login_required
def application_start(request):
    children = children_of(request.user).exclude(applications__status__in=OPEN_APPLICATION_STATUSES)
    if not children_of(request.user).exists():
        messages.info(request, _("First add the child you need a place for."))
        return redirect(f"{reverse('parents:child_create')}?next=apply")
    form = ChooseChildForm(request.POST if request.method == "POST" else None, children=children)
    if request.method == "POST" and form.is_valid():
        application = None

        def create():
            nonlocal application
            application = services.create_application(child=form.cleaned_data["child"], by=request.user)

        if _run(request, create):
            return redirect("parents:application_step_start", application.public_id)
    return render(
        request, "childcare/applications/start.html", {"form": form, "has_children": children.exists()}
    )


@login_required
def application_step_start(request, public_id):
    application = _own(request, public_id)
    if not _editable(request, application):
        return redirect("parents:application_list")
    form = StartForm(request.POST if request.method == "POST" else None, instance=application)
    if request.method == "POST" and form.is_valid():
        if _run(
            request,
            lambda: services.update_application(
                application=application,
                by=request.user,
                desired_start_date=form.cleaned_data["desired_start_date"],
                care_hours_per_week=form.cleaned_data["care_hours_per_week"],
            ),
        ):
            return redirect("parents:application_step_wishes", application.public_id)
        application.refresh_from_db()
    return render(
        request,
        "childcare/applications/step_start.html",
        _step_context(application, "parents:application_step_start", form=form),
    )


def _wish_action(request, application, chosen: list[Facility]) -> list[Facility] | None:
    """The facility list after the posted action (add, remove, move up or down, use the basket)."""
    action, slug = request.POST.get("action"), request.POST.get("facility", "")
    slugs = [facility.slug for facility in chosen]
    if action == "basket":
        slugs += [s for s in basket(request.session) if s not in slugs]
    elif action == "add" and slug in slugs:
        raise DomainError(_("Each facility can be chosen only once."))
    elif action == "add" and slug:
        slugs.append(slug)
    elif action in ("up", "down", "remove") and slug in slugs:
        index = slugs.index(slug)
        if action == "remove":
            slugs.pop(index)
        else:
            other = index - 1 if action == "up" else index + 1
            if 0 <= other < len(slugs):
                slugs[index], slugs[other] = slugs[other], slugs[index]
    else:
        return None
    found = {f.slug: f for f in Facility.objects.filter(slug__in=slugs)}
    return [found[s] for s in slugs if s in found]


@login_required
def application_step_wishes(request, public_id):
    application = _own(request, public_id)
    if not _editable(request, application):
        return redirect("parents:application_list")
    if application.desired_start_date is None:
        messages.info(request, _("Choose the desired start date first."))
        return redirect("parents:application_step_start", application.public_id)
    chosen = [w.facility for w in application.wishes.all() if w.status == WishStatus.ACTIVE]
    if request.method == "POST":
        try:
            new = _wish_action(request, application, chosen)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("parents:application_step_wishes", application.public_id)
        if new is None:
            messages.error(request, _("Please choose a facility."))
        elif new and _run(
            request, lambda: services.set_wishes(application=application, by=request.user, facilities=new)
        ):
            if request.POST.get("action") == "basket":
                clear_basket(request.session)
            messages.success(request, _("Your wishes were saved."))
        elif not new:
            messages.error(request, _("Keep at least one facility. To stop, withdraw the application."))
        return redirect("parents:application_step_wishes", application.public_id)
    facilities = list(Facility.objects.filter(is_active=True).select_related("provider").order_by("name"))
    problems = facility_problems(
        facilities=facilities,
        child=application.child,
        start_date=application.desired_start_date,
        care_hours=application.care_hours_per_week,
    )
    chosen_ids = {f.pk for f in chosen}
    context = _step_context(
        application,
        "parents:application_step_wishes",
        chosen=chosen,
        selectable=[f for f in facilities if not problems[f.pk] and f.pk not in chosen_ids],
        unavailable=[(f, problems[f.pk]) for f in facilities if problems[f.pk]],
        basket=[s for s in basket(request.session) if s not in {f.slug for f in chosen}],
        max_wishes=PortalSettings.load().max_wishes,
    )
    return render(request, "childcare/applications/step_wishes.html", context)


@login_required
def application_step_criteria(request, public_id):
    application = _own(request, public_id)
    if not _editable(request, application):
        return redirect("parents:application_list")
    form = CriteriaForm(request.POST if request.method == "POST" else None, instance=application)
    if (
        request.method == "POST"
        and form.is_valid()
        and _run(
            request,
            lambda: services.update_application(
                application=application, by=request.user, criteria=form.cleaned_data
            ),
        )
    ):
        return redirect("parents:application_step_review", application.public_id)
    documents = list(application.documents.all())
    for document in documents:
        document.label = proofs.CRITERION_LABELS.get(document.criterion, document.criterion)
    return render(
        request,
        "childcare/applications/step_criteria.html",
        _step_context(
            application,
            "parents:application_step_criteria",
            form=form,
            documents=documents,
            upload_form=proofs.UploadForm(),
        ),
    )


@login_required
def application_step_review(request, public_id):
    application = _own(request, public_id)
    if application.status != ApplicationStatus.DRAFT:
        return redirect("parents:application_detail", application.public_id)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():

        def submit():
            services.update_application(
                application=application, by=request.user, criteria={"consent_data_processing": True}
            )
            services.submit_application(application=application, by=request.user)

        if _run(request, submit):
            messages.success(
                request,
                _("Your application %(reference)s was submitted. We have sent you a confirmation.")
                % {"reference": application.reference},
            )
            return redirect("parents:application_list")
    context = _step_context(application, "parents:application_step_review", form=form)
    return render(request, "childcare/applications/step_review.html", context)


@login_required
def application_withdraw(request, public_id):
    application = _own(request, public_id)
    if request.method == "POST":
        if _run(request, lambda: services.withdraw_application(application=application, by=request.user)):
            messages.success(request, _("The application was withdrawn."))
        return redirect("parents:application_list")
    return render(request, "childcare/applications/confirm_withdraw.html", {"application": application})


@login_required
def wish_withdraw(request, public_id, rank):
    application = _own(request, public_id)
    wish = next((w for w in application.wishes.all() if w.rank == rank), None)
    if wish is None:
        raise Http404
    if request.method == "POST":
        if _run(request, lambda: services.withdraw_wish(wish=wish, by=request.user)):
            messages.success(request, _("The wish was withdrawn."))
        return redirect("parents:application_list")
    return render(
        request, "childcare/applications/confirm_withdraw.html", {"application": application, "wish": wish}
    )


@require_POST
@login_required
def interest_confirm(request, public_id):
    application = _own(request, public_id)
    if _run(request, lambda: services.confirm_interest(application=application, by=request.user)):
        messages.success(request, _("Thank you. Your interest is confirmed."))
    return redirect("parents:application_list")


def interest_confirm_link(request, token):
    """The one-click link from the re-confirmation e-mail: no sign-in, only this one action.

    GET shows a button and changes nothing (mail scanners open links); POST confirms.
    """
    grace = PortalSettings.load().reconfirmation_grace_days
    try:
        application = reconfirmation.application_from_token(token, max_age=datetime.timedelta(days=grace + 1))
    except reconfirmation.InvalidLink:
        return render(request, "childcare/applications/confirm_link.html", {"invalid": True}, status=400)
    if request.method == "POST":
        try:
            services.confirm_interest(application=application, by=SYSTEM)
        except DomainError as error:
            return render(
                request,
                "childcare/applications/confirm_link.html",
                {"invalid": True, "error": error.message},
                status=400,
            )
        return render(
            request, "childcare/applications/confirm_link.html", {"application": application, "done": True}
        )
    return render(request, "childcare/applications/confirm_link.html", {"application": application})
