"""Conditional GETs for the public facility data: ETag and Last-Modified from a cheap version.

The public answers depend on facilities, their capacities and the places taken or held
(placements, open offers), on the day (free places "now") and on the language. The version is
read in four small aggregate queries, whatever the size of the town, and then once per request.
"""

import functools
import hashlib

from django.db.models import Count, Max, Q
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from childcare.models import Capacity, Facility, Offer, OfferStatus, Placement

PUBLIC_MAX_AGE_SECONDS = 60


def _version(request) -> tuple:
    cached = getattr(request, "_facility_data_version", None)
    if cached is None:
        facilities = Facility.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
        capacities = Capacity.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
        placements = Placement.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
        offers = Offer.objects.aggregate(
            open=Count("pk", filter=Q(status=OfferStatus.OPEN)),
            made=Max("created_at"),
            answered=Max("decided_at"),
        )
        changes = [
            moment
            for moment in (
                facilities["changed"],
                capacities["changed"],
                placements["changed"],
                offers["made"],
                offers["answered"],
            )
            if moment is not None
        ]
        cached = (
            max(changes) if changes else None,
            (facilities, capacities, placements, offers),
        )
        request._facility_data_version = cached
    return cached


def facility_data_etag(request, *args, **kwargs) -> str:
    last_changed, counts = _version(request)
    # Free places "today" change at midnight, the labels with the language, the list with the filters.
    material = repr((counts, timezone.localdate(), translation.get_language(), request.get_full_path()))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def facility_data_last_modified(request, *args, **kwargs):
    last_changed, _ = _version(request)
    # "Today" is part of the answer: the start of the day bounds it from below.
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return max(last_changed, start_of_day) if last_changed else start_of_day


def cacheable_public_data(view_method):
    """Wrap a view method: 304 when the client's copy is current, cache headers on the answer."""
    conditional = condition(etag_func=facility_data_etag, last_modified_func=facility_data_last_modified)

    @functools.wraps(view_method)
    def wrapped(self, request, *args, **kwargs):
        response = conditional(lambda req, *a, **kw: view_method(self, request, *a, **kw))(
            request._request, *args, **kwargs
        )
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE_SECONDS)
        patch_vary_headers(response, ("Accept-Language",))
        return response

    return wrapped
