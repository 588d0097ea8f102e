"""Who may do what to which object. Views, PDFs, exports, proofs, the API and services all ask here.

Parents act for children they are guardians of; the municipal office sees everything; facility
staff see on a need-to-know basis (DESIGN.md §8):

- an application only while it has a wish for their facility that is on the waitlist, offered or
  accepted (``STAFF_VISIBLE_WISH_STATUSES``), or the child has an active placement there. A family
  that withdrew the wish, a placement elsewhere (the wish turns inactive) or a rejection ends it.
  Drafts are never visible to staff.
- within it: only those wishes, their points, the application's proofs and criteria, their own
  facility's offers, placements and internal notes; never other facilities' notes, offers or where
  the child was placed.
- the guardians' e-mail addresses only once their facility made an offer or holds a placement:
  before that the facility has no reason to contact the family outside the portal.

Callers turn every refusal into a 404 so outsiders learn nothing about what exists.
One function per object kind: ``can_view_application``, ``can_view_wish``, ``can_view_offer``,
``can_view_placement``, ``can_view_document``, ``can_view_event``, ``can_view_child``.
"""

from django.db.models import Q

from childcare.models import (
    STAFF_VISIBLE_WISH_STATUSES,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    Child,
    EventKind,
    Facility,
    Offer,
    Placement,
    PlacementStatus,
    Wish,
)


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_municipal_office(user) -> bool:
    return bool(_signed_in(user) and user.is_municipal_office)


def is_guardian(user, child: Child) -> bool:
    if not _signed_in(user):
        return False
    return child.guardianships.filter(user=user).exists()


def is_facility_staff(user, facility: Facility) -> bool:
    if not _signed_in(user):
        return False
    return is_municipal_office(user) or facility.staff_memberships.filter(user=user).exists()


def staff_facility_ids(user) -> set[int]:
    """The facilities the user works for (not the office's "all")."""
    if not _signed_in(user):
        return set()
    return set(user.staff_memberships.values_list("facility_id", flat=True))


def need_to_know_facility_ids(user, application: Application) -> set[int]:
    """The user's facilities that currently have a reason to see ``application`` (2 queries at most).

    A live wish (``STAFF_VISIBLE_WISH_STATUSES``) for the facility, or an active placement of the
    child there. Drafts: none.
    """
    own = staff_facility_ids(user)
    if not own or application.status == ApplicationStatus.DRAFT:
        return set()
    wished = set(
        Wish.objects.filter(
            application=application, facility_id__in=own, status__in=STAFF_VISIBLE_WISH_STATUSES
        ).values_list("facility_id", flat=True)
    )
    placed = set(
        Placement.objects.filter(
            child_id=application.child_id, facility_id__in=own, status=PlacementStatus.ACTIVE
        ).values_list("facility_id", flat=True)
    )
    return wished | placed


def staff_visible_applications(user):
    """The query-set form of the rule above, for lists and the API."""
    if is_municipal_office(user):
        return Application.objects.exclude(status=ApplicationStatus.DRAFT)
    own = staff_facility_ids(user)
    return (
        Application.objects.exclude(status=ApplicationStatus.DRAFT)
        .filter(
            Q(wishes__facility_id__in=own, wishes__status__in=STAFF_VISIBLE_WISH_STATUSES)
            | Q(child__placements__facility_id__in=own, child__placements__status=PlacementStatus.ACTIVE)
        )
        .distinct()
    )


def can_manage_application(user, application: Application) -> bool:
    """Guardians of the child change, submit, withdraw and answer offers."""
    return is_guardian(user, application.child)


def can_staff_view_application(user, application: Application) -> bool:
    """The staff view (internal notes included): the office, or staff with a need to know."""
    if application.status == ApplicationStatus.DRAFT:
        return False
    return is_municipal_office(user) or bool(need_to_know_facility_ids(user, application))


def can_view_application(user, application: Application) -> bool:
    """Guardians, the municipal office, and staff with a need to know."""
    return can_manage_application(user, application) or can_staff_view_application(user, application)


def can_view_child(user, child: Child) -> bool:
    """Guardians, the office, and staff who may see one of the child's applications or have it placed."""
    if is_guardian(user, child) or is_municipal_office(user):
        return True
    own = staff_facility_ids(user)
    if not own:
        return False
    return (
        child.placements.filter(facility_id__in=own, status=PlacementStatus.ACTIVE).exists()
        or Wish.objects.filter(
            application__child=child, facility_id__in=own, status__in=STAFF_VISIBLE_WISH_STATUSES
        )
        .exclude(application__status=ApplicationStatus.DRAFT)
        .exists()
    )


def can_view_wish(user, wish: Wish, *, visible_ids: set[int] | None = None) -> bool:
    """Staff see their own facility's wish while it is live; the office and guardians all of them."""
    if is_municipal_office(user) or is_guardian(user, wish.application.child):
        return True
    if visible_ids is None:
        visible_ids = need_to_know_facility_ids(user, wish.application)
    return wish.facility_id in visible_ids


def can_act_on_wish(user, wish: Wish) -> bool:
    """Staff of the wished facility (or the municipal office) make offers and reject wishes."""
    return is_facility_staff(user, wish.facility)


def can_answer_offer(user, offer: Offer) -> bool:
    return can_manage_application(user, offer.application)


def can_view_offer(user, offer: Offer) -> bool:
    """The family, the office and the staff of the offering facility (while they have a need to know)."""
    if can_manage_application(user, offer.application) or is_municipal_office(user):
        return True
    return offer.wish.facility_id in need_to_know_facility_ids(user, offer.application)


def can_view_placement(user, placement: Placement) -> bool:
    """The family, the office and the staff of the facility the child attends."""
    if is_guardian(user, placement.child) or is_municipal_office(user):
        return True
    return placement.facility_id in staff_facility_ids(user)


def can_view_document(user, document: ApplicationDocument) -> bool:
    """Guardians always; staff and the office only while they may see the (submitted) application."""
    application = document.application
    return can_manage_application(user, application) or can_staff_view_application(user, application)


def can_delete_document(user, document: ApplicationDocument) -> bool:
    """Only the family removes a proof."""
    return can_manage_application(user, document.application)


def can_view_event(user, event: ApplicationEvent, *, visible_ids: set[int] | None = None) -> bool:
    """A timeline entry as staff see it.

    The office sees everything. Staff see the family's own entries (submitted, changed, ...), entries
    about a wish of their facility, and internal notes written for their facility; never entries
    about other facilities' wishes or their notes.
    """
    if is_municipal_office(user):
        return True
    if visible_ids is None:
        visible_ids = need_to_know_facility_ids(user, event.application)
    if event.kind == EventKind.NOTE:
        facility_id = event.facility_id or (event.wish.facility_id if event.wish_id else None)
        return facility_id in visible_ids
    if event.wish_id:
        return event.wish.facility_id in visible_ids
    return True


def can_see_guardian_contact(user, application: Application, *, visible_ids: set[int] | None = None) -> bool:
    """Guardians' e-mail addresses: the office, or a facility that made an offer or holds a placement."""
    if is_municipal_office(user):
        return True
    if visible_ids is None:
        visible_ids = need_to_know_facility_ids(user, application)
    if not visible_ids:
        return False
    return (
        Offer.objects.filter(application=application, wish__facility_id__in=visible_ids).exists()
        or Placement.objects.filter(child_id=application.child_id, facility_id__in=visible_ids).exists()
    )
