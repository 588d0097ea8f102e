"""Who may call which endpoint. Which objects they then see is decided by childcare.permissions."""

from rest_framework import permissions

from childcare.models import ApiToken


class TokenScope(permissions.BasePermission):
    """Reads are open to whoever the view admits; a read-only key may not write (403)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        return not isinstance(token, ApiToken) or token.scope == ApiToken.Scope.WRITE


class IsFacilityStaff(permissions.BasePermission):
    """Staff of at least one facility, or the municipal office; the facility itself is checked per object."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user and user.is_authenticated and (user.is_municipal_office or user.staff_memberships.exists())
        )


class IsMunicipalOffice(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_municipal_office)
