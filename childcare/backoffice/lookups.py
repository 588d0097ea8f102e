"""Finding a staff member's facility and candidate: 404 for everyone else, on every door.

Used by the staff pages and the staff API alike, so both answer outsiders the same way.
"""

from django.http import Http404

from childcare import permissions
from childcare.models import ApplicationStatus, Facility, Wish


def staff_facility(request, slug: str) -> Facility:
    facility = Facility.objects.filter(slug=slug).first()
    if facility is None or not permissions.is_facility_staff(request.user, facility):
        raise Http404
    return facility


def candidate(request, slug: str, public_id) -> Wish:
    """The wish of application ``public_id`` for the facility ``slug``, if the user works there."""
    facility = staff_facility(request, slug)
    wish = (
        Wish.objects.select_related("application__child", "facility")
        .filter(facility=facility, application__public_id=public_id)
        .exclude(application__status=ApplicationStatus.DRAFT)
        .first()
    )
    if wish is None:
        raise Http404
    return wish
