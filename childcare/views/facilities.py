from django.http import Http404
from django.shortcuts import render

from childcare.models import Facility
from childcare.selectors import facility_detail as select_facility


def facility_detail(request, slug):
    try:
        facility = select_facility(slug=slug)
    except Facility.DoesNotExist:
        raise Http404 from None
    return render(request, "childcare/facility_detail.html", {"facility": facility})
