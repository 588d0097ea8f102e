from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.safestring import mark_safe

from childcare.facilities.public_cache import kept
from childcare.facilities.search import MORE_FILTERS, facility_availability, search_facilities
from childcare.facilities.selectors import facility_detail as select_facility
from childcare.models import Facility
from childcare.parents.basket import basket
from childcare.parents.facility_cards import facility_card, wish_button
from childcare.parents.search_fields import search_fields
from portal.models import PortalSettings

RESULTS_PER_PAGE = 20


@dataclass(frozen=True)
class FacilityBrief:
    """A kept facility page's facility, as its wish button reads it."""

    name: str
    slug: str
    accepts_applications: bool

    def __str__(self):
        return self.name


def _map_context(page, location) -> dict:
    """What map.js draws: the facilities on this page (the list stays the primary content)."""
    if not settings.MAP_TILE_URL:
        return {}
    return {
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "map_icons": {
            "icon": static("vendor/leaflet/images/marker-icon.png"),
            "icon2x": static("vendor/leaflet/images/marker-icon-2x.png"),
            "shadow": static("vendor/leaflet/images/marker-shadow.png"),
        },
        "map_data": {
            "origin": (
                {"lat": location.latitude, "lon": location.longitude, "label": location.label}
                if location
                else None
            ),
            "facilities": [
                {
                    "name": result.facility.name,
                    "url": result.facility.get_absolute_url(),
                    "lat": float(result.facility.latitude),
                    "lon": float(result.facility.longitude),
                }
                for result in page
            ],
        },
    }


def _basket_context(request, portal) -> dict:
    """The visitor's wish list; reading it costs a query only once the visitor has a session."""
    wishes = basket(request.session)
    return {"basket": wishes, "basket_full": len(wishes) >= portal.max_wishes}


def _wish_list_key(context: dict) -> tuple:
    """The visitor's wish list state as the kept pages depend on it (empty for most visitors)."""
    return (tuple(sorted(context["basket"])), context["basket_full"])


def facility_search(request):
    # The view passes the settings row on as ``portal_settings``, so the layout does not load it again.
    portal = PortalSettings.load()
    today = timezone.localdate()
    wishes = _basket_context(request, portal)

    def render_results() -> str:
        outcome = search_facilities(data=request.GET, portal=portal, today=today)
        form = outcome.form
        page = Paginator(outcome.results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        cards = [
            facility_card(result, start=outcome.start, max_wishes=portal.max_wishes, **wishes)
            for result in page.object_list
        ]
        context = {
            "portal_settings": portal,
            "search": outcome,
            "cards": cards,
            "form": form,
            "fields": search_fields(form),
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
            "more_filters_open": any(form[name].value() or form[name].errors for name in MORE_FILTERS),
            **wishes,
            **_map_context(page, outcome.location),
        }
        return render_to_string("childcare/includes/search_body.html", context, request=request)

    # The filters, results and pages are the same for everyone asking this on this day.
    # (The settings' time: a process still holding the settings from before a change renders under
    # the old one, which processes with the new settings do not read.)
    question = (
        "search",
        request.META.get("QUERY_STRING", ""),
        today,
        portal.updated_at,
        _wish_list_key(wishes),
    )
    context = {
        "portal_settings": portal,
        "body": mark_safe(kept(question, render_results)),  # noqa: S308 (our template's output)
        "map_enabled": bool(settings.MAP_TILE_URL),
        **wishes,
    }
    return render(request, "childcare/search.html", context)


def _facility_facts(request, slug: str, portal, today) -> dict:
    try:
        facility = select_facility(slug=slug)
    except Facility.DoesNotExist:
        raise Http404 from None
    context = {
        "portal_settings": portal,
        "facility": facility,
        "availability": facility_availability(facility=facility, today=today),
    }
    return {
        "name": facility.name,
        "slug": facility.slug,
        "accepts_applications": facility.accepts_applications,
        "heading": render_to_string("childcare/includes/facility_heading.html", context, request=request),
        "facts": render_to_string("childcare/includes/facility_facts.html", context, request=request),
    }


def facility_detail(request, slug):
    portal = PortalSettings.load()
    today = timezone.localdate()
    wishes = _basket_context(request, portal)
    facts = kept(
        ("facility", slug, today),
        lambda: _facility_facts(request, slug, portal, today),
    )
    facility = FacilityBrief(facts["name"], facts["slug"], facts["accepts_applications"])
    context = {
        "portal_settings": portal,
        "facility": facility,
        "wish_button": wish_button(facility=facility, max_wishes=portal.max_wishes, **wishes),
        "heading": mark_safe(facts["heading"]),  # noqa: S308
        "facts": mark_safe(facts["facts"]),  # noqa: S308
        **wishes,
    }
    return render(request, "childcare/facility_detail.html", context)
