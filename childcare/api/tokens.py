"""Personal API tokens: create (the key is shown once), find by key, revoke.

A key is ``kp_<public id>_<secret>`` with a random 32-byte secret. Only the SHA-256 of the whole
key is stored, so a leaked database reveals no usable key; the public id lets a person tell keys
apart on their token page and in logs.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childcare.errors import DomainError
from childcare.models import ApiToken

KEY_PREFIX = "kp_"
# Refresh last_used_at at most this often, so a busy client does not write on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


class SecondFactorRequired(DomainError):
    """Staff and office keys open applicants' data: they need a second factor on the account first."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once, never stored


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def needs_second_factor(user) -> bool:
    """Staff of a facility and the municipal office create keys only with a second factor set up."""
    from allauth.mfa.models import Authenticator

    privileged = user.is_staff or user.is_municipal_office or user.staff_memberships.exists()
    return privileged and not Authenticator.objects.filter(user=user).exists()


def create_token(*, user, name: str, scope: str, valid_days: int) -> IssuedToken:
    """A new key for ``user``; refused for staff and office accounts without a second factor."""
    if needs_second_factor(user):
        raise SecondFactorRequired(_("Set up a second factor for your account before you create an API key."))
    if not 1 <= valid_days <= settings.API_TOKEN_MAX_DAYS:
        raise DomainError(_("A key is valid for 1 to %(days)s days.") % {"days": settings.API_TOKEN_MAX_DAYS})
    public_id = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{public_id}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        public_id=public_id,
        key_hash=hash_key(key),
        expires_at=timezone.now() + datetime.timedelta(days=valid_days),
    )
    return IssuedToken(token=token, key=key)


def revoke_token(*, token: ApiToken, by) -> None:
    """Only the owner revokes; revoking twice keeps the first time."""
    if token.user_id != by.pk:
        raise DomainError(_("This key belongs to someone else."))
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def tokens_of(user):
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def token_for_key(key: str) -> ApiToken | None:
    """The token with this key (usable or not), or None; records when a usable one was last used."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.is_usable(now) and (
        token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
