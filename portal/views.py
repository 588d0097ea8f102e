from django.shortcuts import redirect, render
from django.templatetags.static import static

from childcare.facilities.selectors import facility_list
from portal.languages import in_active_language
from portal.models import PortalSettings


def home(request):
    return render(request, "portal/home.html", {"facilities": facility_list()})


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page names; send them to the SVG icon.

    Temporary (302): the icon's static URL carries a content hash that changes with the file.
    """
    return redirect(static("portal/favicon.svg"))


def imprint(request):
    text = in_active_language(PortalSettings.load(), "imprint")
    return render(request, "portal/legal.html", {"kind": "imprint", "text": text})


def privacy(request):
    text = in_active_language(PortalSettings.load(), "privacy_notice")
    return render(request, "portal/legal.html", {"kind": "privacy", "text": text})
