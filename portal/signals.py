"""Remember at sign-in whether the staff area applies, so the navigation costs no query per page."""

STAFF_AREA_KEY = "staff_area"


def remember_staff_area(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    request.session[STAFF_AREA_KEY] = bool(user.is_municipal_office or user.staff_memberships.exists())
