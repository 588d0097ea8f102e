from django.shortcuts import render

from childcare.facilities.selectors import facility_list
from portal.models import PortalSettings


def home(request):
    return render(request, "portal/home.html", {"facilities": facility_list()})


def imprint(request):
    return render(request, "portal/legal.html", {"kind": "imprint", "text": PortalSettings.load().imprint})


def privacy(request):
    return render(
        request, "portal/legal.html", {"kind": "privacy", "text": PortalSettings.load().privacy_notice}
    )
