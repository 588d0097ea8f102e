"""Remember at sign-in which areas the navigation offers, so it costs no query per page."""

STAFF_AREA_KEY = "staff_area"
FAMILY_AREA_KEY = "family_area"


def remember_staff_area(sender, request, user, **kwargs):
    """Staff and the office get the staff menu; the parents' items only if they are guardians too.

    Read at sign-in: a staff member who becomes a guardian later sees "My children" after signing in again.
    """
    if request is None or not hasattr(request, "session"):
        return
    staff = bool(user.is_municipal_office or user.staff_memberships.exists())
    request.session[STAFF_AREA_KEY] = staff
    request.session[FAMILY_AREA_KEY] = not staff or user.guardianships.exists()
