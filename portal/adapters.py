"""Hooks into django-allauth's account flows."""

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from portal.models import User


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


def current_user_language() -> str:
    """The active UI language as a ``User.language`` value; German when it is not one we offer."""
    code = (translation.get_language() or "").split("-")[0]
    return code if code in User.Language.values else User.Language.GERMAN
