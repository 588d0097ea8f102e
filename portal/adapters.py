"""Hooks into django-allauth's account flows."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils import translation

from portal.models import PortalSettings, User


class AccountAdapter(DefaultAccountAdapter):
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


def current_user_language() -> str:
    """The active UI language as a ``User.language`` value; German when it is not one we offer."""
    code = (translation.get_language() or "").split("-")[0]
    return code if code in User.Language.values else User.Language.GERMAN
