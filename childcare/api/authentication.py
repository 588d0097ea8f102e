"""``Authorization: Bearer kp_...``: a personal API token acts for its user.

Every successful use of a key sends the ``token_used`` signal (sender: the authentication
class; arguments ``token``, ``user`` and ``request``, the Django request). It is the one place
for the audit log to record token uses: connect a receiver there, nothing else changes.
"""

import django.dispatch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from childcare.api.tokens import token_for_key

token_used = django.dispatch.Signal()


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """No Authorization header: anonymous (public endpoints still answer). A key that is unknown,
    expired or revoked, or whose user is inactive: 401."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as 'Authorization: Bearer kp_...'."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        token = token_for_key(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        if not token.is_usable():
            raise exceptions.AuthenticationFailed(_("This API key has expired."))
        token_used.send(sender=type(self), token=token, user=token.user, request=request._request)
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API key (kp_...), created on the account's API keys page.",
        }
