"""Hooks into django-allauth's account flows."""

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from portal.models import PortalSettings, User


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """An address must fit the columns it is stored in (user and allauth's address book).

        Without this check a longer address was saved half-way (SQLite) or failed in the database
        (PostgreSQL), and the next sign-up with it answered 500.
        """
        limit = min(User._meta.get_field("email").max_length, app_settings.EMAIL_MAX_LENGTH)
        if len(email) > limit:
            raise ValidationError(
                gettext("This e-mail address is too long: at most %(limit)s characters.") % {"limit": limit},
                code="max_length",
            )
        return super().clean_email(email)

    def save_user(self, request, user, form, commit=True):
        """A new user keeps the language they signed up in, so later e-mails and PDFs speak it."""
        user.language = current_user_language()
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        """Account e-mails speak with the municipality's portal name, also when sent without a request."""
        return super().send_mail(
            template_prefix, email, {"portal_settings": PortalSettings.load(), **context}
        )

    def get_login_redirect_url(self, request):
        """Where a sign-in without a ``next`` lands: the page the person came for.

        allauth follows a safe ``next`` before asking here and drops one to another host.
        """
        user = request.user
        if user.is_municipal_office or user.staff_memberships.exists():
            return reverse("backoffice:facilities")
        return reverse("parents:application_list")

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
