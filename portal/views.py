from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childcare.errors import DomainError
from childcare.facilities.selectors import facility_type_counts
from portal import privacy as privacy_rights
from portal.languages import in_active_language
from portal.models import PortalSettings


def home(request):
    # Links into the search by type, not a list of every facility: a city has thousands.
    return render(request, "portal/home.html", {"facility_types": facility_type_counts()})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page names; send them to the SVG icon.

    Temporary (302): the icon's static URL carries a content hash that changes with the file.
    """
    return redirect(static("portal/favicon.svg"))


def imprint(request):
    text = in_active_language(PortalSettings.load(), "imprint")
    return render(request, "portal/legal.html", {"kind": "imprint", "text": text})


def privacy(request):
    """The notice from the settings, then what is stored, why and how long, from the live settings."""
    portal = PortalSettings.load()
    text = in_active_language(portal, "privacy_notice")
    context = {
        "kind": "privacy",
        "text": text,
        "portal": portal,
        "audit_retention_months": settings.AUDIT_RETENTION_MONTHS,
    }
    return render(request, "portal/privacy.html", context)


class DeleteAccountForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address, to confirm"),
        help_text=gettext_lazy("This cannot be undone."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(_("This is not the e-mail address of your account."))
        return email


def _may_delete_itself(user) -> bool:
    """Staff, office and admin accounts are managed by the municipality, not deleted by their owner."""
    return not (
        user.is_staff or user.is_superuser or user.is_municipal_office or user.staff_memberships.exists()
    )


@login_required
def account_data(request):
    """Download all one's data; delete the account (a POST with the e-mail address as confirmation)."""
    may_delete = _may_delete_itself(request.user)
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and may_delete and form.is_valid():
        user = request.user
        try:
            privacy_rights.delete_account(user=user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            logout(request)
            messages.success(request, _("Your account was deleted. Open applications were withdrawn."))
            return redirect("home")
    return render(request, "portal/account_data.html", {"form": form, "may_delete": may_delete})


@login_required
def account_data_download(request):
    response = HttpResponse(privacy_rights.export_zip(request.user), content_type="application/zip")
    name = f"kita-portal-{timezone.localdate().isoformat()}.zip"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response
