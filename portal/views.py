from django.shortcuts import render

from childcare.facilities.selectors import facility_list
from portal.languages import in_active_language
from portal.models import PortalSettings


def home(request):
    return render(request, "portal/home.html", {"facilities": facility_list()})


def imprint(request):
    text = in_active_language(PortalSettings.load(), "imprint")
    return render(request, "portal/legal.html", {"kind": "imprint", "text": text})


def privacy(request):
    text = in_active_language(PortalSettings.load(), "privacy_notice")
    return render(request, "portal/legal.html", {"kind": "privacy", "text": text})
