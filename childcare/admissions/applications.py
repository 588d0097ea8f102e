"""Applications and their wishes, from draft to submission, edits and withdrawal."""

import datetime
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from childcare import permissions
from childcare.actors import SYSTEM, Actor, require_actor
from childcare.admissions.criteria import require_answers
from childcare.admissions.events import record_event
from childcare.admissions.locking import LockedSetChanged, lock_rows, retrying
from childcare.admissions.messages import tell_guardians
from childcare.admissions.points import recompute_points
from childcare.admissions.transitions import application as application_transitions
from childcare.admissions.transitions import offer as offer_transitions
from childcare.admissions.transitions import wish as wish_transitions
from childcare.age import age_band_on
from childcare.errors import DomainError
from childcare.models import (
    LISTED_APPLICATION_STATUSES,
    LISTED_WISH_STATUSES,
    WAITING_APPLICATION_STATUSES,
    ActorKind,
    Application,
    ApplicationStatus,
    Capacity,
    Child,
    EventKind,
    Facility,
    OfferStatus,
    Wish,
    WishStatus,
)
from portal.models import PortalSettings

CRITERIA = (
    "resides_in_municipality",
    "guardians_working_or_training",
    "single_parent",
    "hardship_referral",
    "integration_need",
    "consent_data_processing",
)


def _require_guardian(by: Actor, child: Child) -> None:
    """Only a guardian acts on the family's application; SYSTEM never passes here."""
    require_actor(by)
    if not permissions.is_guardian(by, child):
        raise DomainError(_("You are not a guardian of this child."))


def _locked(application: Application) -> Application:
    return lock_rows(applications=[application.pk]).applications[application.pk]


def facility_problems(
    *, facilities, child: Child, start_date: datetime.date, care_hours: int | None, portal=None
) -> dict[int, str | None]:
    """For each facility, why it cannot be wished for this child at that start (None if it can).

    One query for all facilities together.
    """
    portal = portal or PortalSettings.load()
    band = age_band_on(child.birth_date, start_date, **portal.school_calendar)
    with_places = set(
        Capacity.objects.filter(
            facility__in=[f.pk for f in facilities], age_band=band, places__gt=0
        ).values_list("facility_id", flat=True)
    )
    problems = {}
    for facility in facilities:
        if not facility.is_active:
            problem = _("This facility is not open.")
        elif not facility.accepts_applications:
            problem = _("This facility is not accepting applications at the moment.")
        elif facility.pk not in with_places:
            problem = _(
                "This facility has no places for the age band %(band)s at the desired start date."
            ) % {"band": band.label}
        elif care_hours and care_hours > facility.max_care_hours:
            problem = _("This facility offers at most %(hours)s hours of care per week.") % {
                "hours": facility.max_care_hours
            }
        else:
            problem = None
        problems[facility.pk] = problem
    return problems


def _first_problem(facilities, application: Application, portal) -> str | None:
    problems = facility_problems(
        facilities=facilities,
        child=application.child,
        start_date=application.desired_start_date,
        care_hours=application.care_hours_per_week,
        portal=portal,
    )
    for facility in facilities:
        if problems[facility.pk]:
            return f"{facility.name}: {problems[facility.pk]}"
    return None


def create_application(*, child: Child, by: Actor) -> Application:
    """Start a draft; a child has at most one open application."""
    _require_guardian(by, child)
    try:
        with transaction.atomic():
            application = Application.objects.create(child=child, created_by=by)
            record_event(
                application=application,
                kind=EventKind.CREATED,
                by=by,
                actor_kind=ActorKind.FAMILY,
                to_status=application.status,
            )
    except IntegrityError:
        raise DomainError(_("This child already has an open application.")) from None
    return application


def _check_dates(start_date: datetime.date | None, care_hours: int | None) -> None:
    if start_date is not None and start_date <= timezone.localdate():
        raise DomainError(_("The desired start date must be in the future."))
    if care_hours is not None and not 5 <= care_hours <= 60:
        raise DomainError(_("The care scope must be between 5 and 60 hours per week."))


def _refresh_age_bands(application: Application, portal: PortalSettings) -> None:
    if application.desired_start_date is None:
        return
    band = age_band_on(application.child.birth_date, application.desired_start_date, **portal.school_calendar)
    wishes = list(application.wishes.filter(status=WishStatus.ACTIVE).select_related("facility"))
    problem = _first_problem([wish.facility for wish in wishes], application, portal)
    if problem:
        raise DomainError(problem)
    application.wishes.filter(status=WishStatus.ACTIVE).exclude(age_band=band).update(age_band=band)


def _ensure_editable(application: Application) -> None:
    if application.status == ApplicationStatus.DRAFT:
        return
    if (
        application.status not in WAITING_APPLICATION_STATUSES
        or application.offers.filter(status=OfferStatus.OPEN).exists()
    ):
        raise DomainError(_("This application can no longer be changed."))


def _after_edit(application: Application, by: Actor, what: str) -> None:
    """A submitted application's edit is recorded, re-scored and reported to the family."""
    if application.status == ApplicationStatus.DRAFT:
        return
    event = record_event(
        application=application, kind=EventKind.EDITED, by=by, actor_kind=ActorKind.FAMILY, note=what
    )
    recompute_points(wishes=application.wishes.filter(status=WishStatus.ACTIVE))
    tell_guardians(
        application=application,
        kind="application_edited",
        key=f"application:{application.pk}:edited:{event.pk}",
        context={},
    )


def update_application(
    *,
    application: Application,
    by: Actor,
    desired_start_date: datetime.date | None = None,
    care_hours_per_week: int | None = None,
    criteria: dict | None = None,
) -> Application:
    """Change start, care scope or criteria answers; allowed until an offer is made."""
    _require_guardian(by, application.child)
    _check_dates(desired_start_date, care_hours_per_week)
    unknown = set(criteria or {}) - set(CRITERIA)
    if unknown:
        raise ValueError(f"unknown criteria: {sorted(unknown)}")
    with transaction.atomic():
        application = _locked(application)
        _ensure_editable(application)
        if desired_start_date is not None:
            application.desired_start_date = desired_start_date
        if care_hours_per_week is not None:
            application.care_hours_per_week = care_hours_per_week
        for name, value in (criteria or {}).items():
            setattr(application, name, value)
        if (application.guardians_working_or_training or 0) > 2:
            raise DomainError(_("At most two guardians can be working or in training."))
        application.save()
        _refresh_age_bands(application, PortalSettings.load())
        _after_edit(application, by, "details")
    return application


def set_wishes(*, application: Application, by: Actor, facilities: Sequence[Facility]) -> list[Wish]:
    """Make ``facilities`` the active wishes in this order (rank 1 = favourite).

    Wishes left out are removed from a draft and withdrawn from a submitted
    application; a rejected facility cannot be wished again.
    """
    _require_guardian(by, application.child)
    portal = PortalSettings.load()
    if not facilities:
        raise DomainError(_("Choose at least one facility."))
    if len(facilities) > portal.max_wishes:
        raise DomainError(_("You can choose at most %(max)s facilities.") % {"max": portal.max_wishes})
    if len({facility.pk for facility in facilities}) != len(facilities):
        raise DomainError(_("Each facility can be chosen only once."))
    with transaction.atomic():
        application = _locked(application)
        _ensure_editable(application)
        if application.desired_start_date is None:
            raise DomainError(_("Choose the desired start date first."))
        problem = _first_problem(facilities, application, portal)
        if problem:
            raise DomainError(problem)
        band = age_band_on(
            application.child.birth_date, application.desired_start_date, **portal.school_calendar
        )
        existing = {wish.facility_id: wish for wish in application.wishes.all()}
        # Move every rank out of the way first so reordering never trips the unique rank constraint.
        application.wishes.update(rank=F("rank") + 100)
        chosen = []
        for rank, facility in enumerate(facilities, start=1):
            wish = existing.pop(facility.pk, None)
            if wish is None:
                wish = Wish(application=application, facility=facility)
            elif wish.status == WishStatus.REJECTED:
                raise DomainError(
                    _("%(facility)s has rejected this application and cannot be chosen again.")
                    % {"facility": facility.name}
                )
            wish.rank, wish.age_band = rank, band
            wish.save()
            if wish.status != WishStatus.ACTIVE:
                wish_transitions.move(wish, WishStatus.ACTIVE)
            chosen.append(wish)
        rank = len(chosen)
        for wish in sorted(existing.values(), key=lambda w: w.rank):
            if application.status == ApplicationStatus.DRAFT and wish.status == WishStatus.ACTIVE:
                wish.delete()
                continue
            rank += 1
            wish.rank = rank
            wish.save(update_fields=["rank", "updated_at"])
            if wish.status == WishStatus.ACTIVE:
                wish_transitions.move(wish, WishStatus.WITHDRAWN)
        _after_edit(application, by, "wishes")
    return chosen


def submit_application(*, application: Application, by: Actor) -> Application:
    """Send a complete draft; from now on its wishes are on the facilities' waitlists."""
    _require_guardian(by, application.child)
    with transaction.atomic():
        application = _locked(application)
        if application.status != ApplicationStatus.DRAFT:
            raise DomainError(_("This application has already been submitted."))
        if application.desired_start_date is None or application.care_hours_per_week is None:
            raise DomainError(_("Choose the desired start date and care scope first."))
        _check_dates(application.desired_start_date, application.care_hours_per_week)
        if not application.consent_data_processing:
            raise DomainError(_("Please agree to the processing of your data."))
        if not application.wishes.filter(status=WishStatus.ACTIVE).exists():
            raise DomainError(_("Choose at least one facility."))
        require_answers(application)
        _refresh_age_bands(application, PortalSettings.load())
        application_transitions.submit(application=application, by=by)
        recompute_points(wishes=application.wishes.all())
    return application


def withdraw_application(*, application: Application, by: Actor) -> Application:
    """The family no longer needs a place: the application ends, and an open offer with it.

    An open offer is given up exactly like a declined one: its own event, the facility's
    staff told, and the place offered to the next family if the facility offers automatically.
    Locks: the capacity rows of the open offer's program first, then the application, its
    wishes and the offer (the order accepting and making offers use too).
    """
    _require_guardian(by, application.child)

    def work():
        with transaction.atomic():
            open_offers = list(
                application.offers.filter(status=OfferStatus.OPEN).values_list(
                    "pk", "wish_id", "wish__facility_id", "wish__age_band"
                )
            )
            locked = lock_rows(
                capacities=[(facility_id, band) for _pk, _wish, facility_id, band in open_offers],
                applications=[application.pk],
                wishes=application.wishes.filter(status__in=LISTED_WISH_STATUSES).values_list(
                    "pk", flat=True
                ),
                offers=[pk for pk, *_rest in open_offers],
            )
            current = locked.applications[application.pk]
            if current.status == ApplicationStatus.PLACED or not current.is_open:
                raise DomainError(_("This application can no longer be withdrawn."))
            still_open = set(current.offers.filter(status=OfferStatus.OPEN).values_list("pk", flat=True))
            if still_open != set(locked.offers):
                raise LockedSetChanged
            given_up = [locked.offers[pk] for pk in still_open]
            for offer in given_up:
                offer_transitions.give_up(offer=offer, by=by)
            application_transitions.withdraw(application=current, by=by)
            # Imported here: the waitlist actions build on the services of this module.
            from childcare.admissions.waitlist_actions import offer_to_successor

            for offer in given_up:
                offer_to_successor(offer)
            return current

    return retrying(work)


def withdraw_wish(*, wish: Wish, by: Actor) -> Wish:
    """Take one facility off a submitted application; the last active wish cannot go alone."""
    _require_guardian(by, wish.application.child)
    with transaction.atomic():
        locked = lock_rows(applications=[wish.application_id], wishes=[wish.pk])
        application, wish = locked.applications[wish.application_id], locked.wishes[wish.pk]
        if wish.status != WishStatus.ACTIVE or application.status not in WAITING_APPLICATION_STATUSES:
            raise DomainError(_("This wish can no longer be withdrawn."))
        if not application.wishes.filter(status=WishStatus.ACTIVE).exclude(pk=wish.pk).exists():
            raise DomainError(_("This is your last wish. Withdraw the whole application instead."))
        wish_transitions.withdraw(wish=wish, by=by)
    return wish


def confirm_interest(*, application: Application, by: Actor) -> Application:
    """The family still wants a place; resets the re-confirmation clock.

    ``by=SYSTEM`` is allowed for the signed one-click link from the e-mail: the link itself
    proves the family sent it, so the timeline shows the family.
    """
    require_actor(by)
    if by is not SYSTEM:
        _require_guardian(by, application.child)
    with transaction.atomic():
        application = _locked(application)
        if application.status not in LISTED_APPLICATION_STATUSES:
            raise DomainError(_("This application is no longer waiting for a place."))
        application.last_confirmed_at = timezone.now()
        application.save(update_fields=["last_confirmed_at", "updated_at"])
        record_event(
            application=application, kind=EventKind.INTEREST_CONFIRMED, by=by, actor_kind=ActorKind.FAMILY
        )
    return application
