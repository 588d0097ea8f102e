"""Who may do what to which object. Views, PDFs, exports and services all ask here.

Parents act for children they are guardians of; facility staff for their own
facilities; the municipal office for everything. Callers turn a refusal into a
404 so outsiders learn nothing about what exists.
"""

from childcare.models import Application, ApplicationDocument, ApplicationStatus, Child, Facility, Offer, Wish


def is_municipal_office(user) -> bool:
    return bool(user and user.is_authenticated and user.is_municipal_office)


def is_guardian(user, child: Child) -> bool:
    if not (user and user.is_authenticated):
        return False
    return child.guardianships.filter(user=user).exists()


def is_facility_staff(user, facility: Facility) -> bool:
    if not (user and user.is_authenticated):
        return False
    return is_municipal_office(user) or facility.staff_memberships.filter(user=user).exists()


def can_manage_application(user, application: Application) -> bool:
    """Guardians of the child change, submit, withdraw and answer offers."""
    return is_guardian(user, application.child)


def can_view_application(user, application: Application) -> bool:
    """Guardians, the municipal office, and staff of a facility the family wished for."""
    if can_manage_application(user, application) or is_municipal_office(user):
        return True
    return bool(
        user
        and user.is_authenticated
        and application.wishes.filter(facility__staff_memberships__user=user).exists()
    )


def can_act_on_wish(user, wish: Wish) -> bool:
    """Staff of the wished facility (or the municipal office) make offers and reject wishes."""
    return is_facility_staff(user, wish.facility)


def can_answer_offer(user, offer: Offer) -> bool:
    return can_manage_application(user, offer.application)


def can_view_offer(user, offer: Offer) -> bool:
    """The family and the staff of the offering facility."""
    return can_manage_application(user, offer.application) or is_facility_staff(user, offer.wish.facility)


def can_view_placement(user, placement) -> bool:
    """The family and the staff of the facility the child attends."""
    return is_guardian(user, placement.child) or is_facility_staff(user, placement.facility)


def can_view_document(user, document: ApplicationDocument) -> bool:
    """Guardians always; staff and the office only once the family submitted: a draft is still private."""
    application = document.application
    if can_manage_application(user, application):
        return True
    return application.status != ApplicationStatus.DRAFT and can_view_application(user, application)
