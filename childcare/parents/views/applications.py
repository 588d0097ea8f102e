"""The parents' application wizard and status pages. Every step saves the draft."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from childcare.actors import SYSTEM
from childcare.admissions import applications as services
from childcare.admissions import reconfirmation
from childcare.admissions.applications import facility_problems
from childcare.admissions.selectors import application_for_guardian, children_of
from childcare.errors import DomainError
from childcare.models import (
    OPEN_APPLICATION_STATUSES,
    WAITING_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
    Facility,
    OfferStatus,
    WishStatus,
)
from childcare.parents.application_cards import applications_page
from childcare.parents.basket import basket, clear_basket
from childcare.parents.dashboard import dashboard_of
from childcare.parents.forms.applications import ChooseChildForm, CriteriaForm, StartForm, SubmitForm
from childcare.parents.views import proofs
from childcare.web import problem_page, run_service
from portal.models import PortalSettings

STEPS = [
    ("parents:application_step_start", gettext_lazy("Start and care scope")),
    ("parents:application_step_wishes", gettext_lazy("Wishes")),
    ("parents:application_step_criteria", gettext_lazy("Criteria")),
    ("parents:application_step_review", gettext_lazy("Review and submit")),
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


@login_required
def application_list(request):
    portal = PortalSettings.load()
    applications = dashboard_of(user=request.user, portal=portal, now=timezone.now())
    # The page's token, for the cards' forms and the frame's alike (one masking per request).
    token = get_token(request)
    return render(
        request,
        "childcare/applications/list.html",
        {
            "content": applications_page(applications, csrf_token=token),
            "csrf_token": token,
            "portal_settings": portal,
        },
    )


@login_required
def application_detail(request, public_id):
    application = _own(request, public_id)
    return redirect(f"{reverse('parents:application_list')}#application-{application.public_id}")


# "?wishes=basket": the application was started from the wish list, whose facilities become the
# wishes once the start date is known (a wish's age band depends on it).
FROM_BASKET = "wishes=basket"


def _from_basket(request) -> bool:
    return request.GET.get("wishes") == "basket"


@login_required
def application_start(request):
    from_basket = _from_basket(request)
    children = children_of(request.user).exclude(applications__status__in=OPEN_APPLICATION_STATUSES)
    if not children_of(request.user).exists():
        messages.info(request, _("First add the child you need a place for."))
        suffix = f"&{FROM_BASKET}" if from_basket else ""
        return redirect(f"{reverse('parents:child_create')}?next=apply{suffix}")
    form = ChooseChildForm(request.POST if request.method == "POST" else None, children=children)
    if request.method == "POST" and form.is_valid():
        application = None

        def create():
            nonlocal application
            application = services.create_application(child=form.cleaned_data["child"], by=request.user)

        if run_service(request, create):
            url = reverse("parents:application_step_start", args=[application.public_id])
            return redirect(f"{url}?{FROM_BASKET}" if from_basket else url)
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
        if run_service(
            request,
            lambda: services.update_application(
                application=application,
                by=request.user,
                desired_start_date=form.cleaned_data["desired_start_date"],
                care_hours_per_week=form.cleaned_data["care_hours_per_week"],
            ),
        ):
            if _from_basket(request) and basket(request.session):
                _wishes_from_basket(request, application)
            return redirect("parents:application_step_wishes", application.public_id)
        application.refresh_from_db()
    return render(
        request,
        "childcare/applications/step_start.html",
        _step_context(application, "parents:application_step_start", form=form),
    )


def _facilities(slugs: list[str]) -> list[Facility]:
    """The facilities with these slugs, in the same order (unknown slugs left out)."""
    found = {f.slug: f for f in Facility.objects.filter(slug__in=slugs)}
    return [found[s] for s in slugs if s in found]


def _wishes_from_basket(request, application) -> None:
    """Make the wish list the application's wishes; on a problem the wishes step shows it and
    keeps the list, so the family can choose."""
    facilities = _facilities(basket(request.session))
    if run_service(
        request, lambda: services.set_wishes(application=application, by=request.user, facilities=facilities)
    ):
        clear_basket(request.session)
        messages.success(request, _("The facilities from your wish list are your wishes now."))


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
    return _facilities(slugs)


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

        def save():
            new = _wish_action(request, application, chosen)
            if new is None:
                raise DomainError(_("Please choose a facility."))
            if not new:
                raise DomainError(_("Keep at least one facility. To stop, withdraw the application."))
            services.set_wishes(application=application, by=request.user, facilities=new)

        if (
            run_service(request, save, success=_("Your wishes were saved."))
            and request.POST.get("action") == "basket"
        ):
            clear_basket(request.session)
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
    form = CriteriaForm(
        request.POST if request.method == "POST" else None,
        instance=application,
        municipality=PortalSettings.load().municipality_name,
    )
    if request.method == "POST":
        answers = form.changed_answers()
        saved = not answers or run_service(
            request,
            lambda: services.update_application(application=application, by=request.user, criteria=answers),
        )
        if request.FILES.get("file"):  # a proof chosen, then "Save and continue" pressed
            proofs.attach_posted_document(request, application)
        if saved and form.is_valid():
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

        success = _("Your application %(reference)s was submitted. We have sent you a confirmation.") % {
            "reference": application.reference
        }
        if run_service(request, submit, success=success):
            return redirect("parents:application_list")
    context = _step_context(application, "parents:application_step_review", form=form)
    return render(request, "childcare/applications/step_review.html", context)


@login_required
def application_withdraw(request, public_id):
    application = _own(request, public_id)
    if request.method == "POST":
        run_service(
            request,
            lambda: services.withdraw_application(application=application, by=request.user),
            success=_("The application was withdrawn."),
        )
        return redirect("parents:application_list")
    return render(request, "childcare/applications/confirm_withdraw.html", {"application": application})


@login_required
def wish_withdraw(request, public_id, rank):
    application = _own(request, public_id)
    wish = next((w for w in application.wishes.all() if w.rank == rank), None)
    if wish is None:
        raise Http404
    if request.method == "POST":
        run_service(
            request,
            lambda: services.withdraw_wish(wish=wish, by=request.user),
            success=_("The wish was withdrawn."),
        )
        return redirect("parents:application_list")
    return render(
        request, "childcare/applications/confirm_withdraw.html", {"application": application, "wish": wish}
    )


@require_POST
@login_required
def interest_confirm(request, public_id):
    application = _own(request, public_id)
    run_service(
        request,
        lambda: services.confirm_interest(application=application, by=request.user),
        success=_("Thank you. Your interest is confirmed."),
    )
    return redirect("parents:application_list")


def interest_confirm_link(request, token):
    """The one-click link from the re-confirmation e-mail: no sign-in, only this one action.

    GET shows a button and changes nothing (mail scanners open links); POST confirms.
    """
    grace = PortalSettings.load().reconfirmation_grace_days
    try:
        application = reconfirmation.application_from_token(token, max_age=datetime.timedelta(days=grace + 1))
    except reconfirmation.InvalidLink:
        return _confirmation_link_gone(request)
    if request.method == "POST":
        try:
            services.confirm_interest(application=application, by=SYSTEM)
        except DomainError as error:
            return _confirmation_link_gone(request, error.message)
        return render(
            request, "childcare/applications/confirm_link.html", {"application": application, "done": True}
        )
    return render(request, "childcare/applications/confirm_link.html", {"application": application})


def _confirmation_link_gone(request, reason: str | None = None):
    """410: the link existed but cannot be used any more; say why it may be so and what to do."""
    return problem_page(
        request,
        heading=_("This confirmation link no longer works"),
        explanation=_("Your interest could not be confirmed with this link."),
        reasons=[reason]
        if reason
        else [
            _("Each e-mail's link works once: your interest may already be confirmed."),
            _("The link is older than the time allowed for confirming."),
            _("The link was not copied completely from the e-mail."),
        ],
        advice=_(
            "Sign in and confirm your interest on the page of your applications; it works there at any time."
        ),
        action=(reverse("parents:application_list"), _("My applications")),
        status=410,
    )
