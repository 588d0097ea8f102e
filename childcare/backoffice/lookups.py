"""Finding a staff member's facility and candidate: 404 for everyone else, on every door.

Used by the staff pages and the staff API alike, so both answer outsiders the same way.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.http import Http404

from childcare import permissions
from childcare.facilities.search import AGE_BAND_ORDER
from childcare.models import (
    ApplicationStatus,
    Capacity,
    Facility,
    ProgramAvailability,
    StaffMembership,
    Wish,
)


def staff_facility(request, slug: str) -> Facility:
    facility = Facility.objects.filter(slug=slug).first()
    if facility is None or not permissions.is_facility_staff(request.user, facility):
        raise Http404
    return facility


@dataclass(frozen=True)
class WaitlistFacility:
    """What the waitlist page and its export read of the facility: its names and its programs."""

    pk: int
    slug: str
    name: str
    bands: list[str]  # the age bands it has places for, in age order
    programs: dict[str, tuple[int, int]]  # per age band: places, free places today


# The facility, whether the user works there (``permissions.is_facility_staff``'s membership), and
# per age band its places and the places taken today from the stored availability (as on the
# facility's public page; a band without stored rows yet has all its places free): one row per band.
_WAITLIST_FACILITY = """
SELECT f.id, f.slug, f.name,
       EXISTS (SELECT 1 FROM {membership} m WHERE m.facility_id = f.id AND m.user_id = %s),
       c.age_band, c.places,
       (SELECT p.taken FROM {availability} p
        WHERE p.facility_id = f.id AND p.age_band = c.age_band
          AND p.valid_from <= %s AND (p.valid_until IS NULL OR p.valid_until > %s)
        LIMIT 1)
FROM {facility} f
LEFT JOIN {capacity} c ON c.facility_id = f.id
WHERE f.slug = %s
"""


def waitlist_facility(request, slug: str, today: datetime.date) -> WaitlistFacility:
    """The facility ``slug`` with its programs, if the user works there (or is the municipal office).

    One query, for the facility, the staff check and the age bands with their free places today.
    """
    user = request.user
    sql = _WAITLIST_FACILITY.format(
        membership=StaffMembership._meta.db_table,
        availability=ProgramAvailability._meta.db_table,
        facility=Facility._meta.db_table,
        capacity=Capacity._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, today, today, slug])
        rows = cursor.fetchall()
    if not rows or not (permissions.is_municipal_office(user) or rows[0][3]):
        raise Http404
    pk, slug, name = rows[0][:3]
    programs = {
        band: (places, max(0, places - (taken or 0)))
        for *_facility, band, places, taken in rows
        if band is not None
    }
    return WaitlistFacility(
        pk=pk,
        slug=slug,
        name=name,
        bands=[band for band in AGE_BAND_ORDER if band in programs],
        programs=programs,
    )


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
