"""Hooks into django-allauth's account flows."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from portal.models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """A new user keeps the language they signed up in, so later e-mails and PDFs speak it."""
        user.language = current_user_language()
        return super().save_user(request, user, form, commit=commit)

    def _get_login_attempts_cache_key(self, request, **credentials):
        """Failed sign-ins count per account *and* client address (ACCOUNT_RATE_LIMITS
        "login_failed" ".../key"): a guesser elsewhere cannot lock a leader out of their own office.

        allauth 65 has no public hook for this key; its ``pre_authenticate`` and the reset of the
        counter after a new password both read it from here.
        """
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{self.get_client_ip(request)}"


def current_user_language() -> str:
    """The active UI language as a ``User.language`` value; German when it is not one we offer."""
    code = (translation.get_language() or "").split("-")[0]
    return code if code in User.Language.values else User.Language.GERMAN
