"""The doors to applicant data: a second factor and a short idle timeout for everyone behind them.

Facility staff, the municipal office and admins (``is_staff``/superusers) reach other families'
data. Before any page under ``SECOND_FACTOR_PATHS`` answers them they must

- own a second factor (an authenticator app or a security key), else they are sent to set one up;
- have used it in this session: allauth asks for it at sign-in and records that, and setting one
  up proves it too. A session without that record (a login path that skipped allauth's stages)
  is signed out.

Their sessions also end after ``STAFF_IDLE_TIMEOUT_MINUTES`` without a request. Parents may add a
second factor on their account page but are never forced to.
"""

import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from childcare.models import StaffMembership
from portal.signals import STAFF_AREA_KEY

SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
PROVEN_SESSION_KEY = "portal_second_factor_proven"
LAST_ACTIVITY_SESSION_KEY = "portal_last_activity"
# Last activity is written at most this often, so not every staff request rewrites the session.
ACTIVITY_RESOLUTION_SECONDS = 60


def needs_second_factor(user) -> bool:
    """Whether the user can reach applicant data beyond their own family's (asks the database)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff or user.is_municipal_office:
        return True
    # Asked by both middlewares of one request: once is enough.
    if not hasattr(user, "_portal_is_facility_staff"):
        user._portal_is_facility_staff = StaffMembership.objects.filter(user=user).exists()
    return user._portal_is_facility_staff


def _is_staff_session(request) -> bool:
    """Staff for the idle timeout: the role noted at sign-in (portal.signals) costs no query;
    behind the doors the database answers for anyone else (a role granted after sign-in)."""
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff or user.is_municipal_office or request.session.get(STAFF_AREA_KEY):
        return True
    return _guarded(request) and needs_second_factor(user)


def second_factor_proven(request) -> bool:
    """The second factor was used in this session: at sign-in (allauth's record) or when set up."""
    if not request.user.is_authenticated:
        return False
    if request.session.get(PROVEN_SESSION_KEY) == request.user.pk:
        return True
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def mark_second_factor_proven(session, user) -> None:
    session[PROVEN_SESSION_KEY] = user.pk


def remember_new_second_factor(sender, request, user, **kwargs):
    """Setting up an authenticator means entering a code from it: that proves it for this session."""
    if request is not None and hasattr(request, "session"):
        mark_second_factor_proven(request.session, user)


def _guarded(request) -> bool:
    return request.path_info.startswith(tuple(settings.SECOND_FACTOR_PATHS))


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A session that used a second factor passes without a query; anyone else behind the doors
        # is asked whether they need one.
        if _guarded(request) and not second_factor_proven(request) and needs_second_factor(request.user):
            if not is_mfa_enabled(request.user, SECOND_FACTORS):
                messages.warning(
                    request,
                    _(
                        "Your account gives access to applicants' data. Please set up a second factor "
                        "(an authenticator app) before you continue; you will need it at every sign-in."
                    ),
                )
                return redirect("mfa_activate_totp")
            logout(request)
            messages.warning(request, _("Please sign in again with your second factor."))
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class StaffIdleTimeoutMiddleware:
    """Signs staff out after ``STAFF_IDLE_TIMEOUT_MINUTES`` without a request; the session cookie
    and row expire at the same time, so a forgotten office computer does not stay signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_staff_session(request):
            timeout = settings.STAFF_IDLE_TIMEOUT_MINUTES * 60
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            if last is not None and now - last > timeout:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)s minutes without activity.")
                    % {"minutes": settings.STAFF_IDLE_TIMEOUT_MINUTES},
                )
            elif last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY_SESSION_KEY] = now
                # The cookie and the session row end with the idle time too, not after two weeks.
                request.session.set_expiry(timeout + ACTIVITY_RESOLUTION_SECONDS)
        return self.get_response(request)


def admin_login(request):
    """The admin's own password form is replaced by the portal's sign-in, with its rate limits and
    second factor; the admin sends everyone it refuses here."""
    if request.user.is_authenticated:
        # Signed in but not admitted by the admin (not is_staff): no form would help.
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or "/admin/")
