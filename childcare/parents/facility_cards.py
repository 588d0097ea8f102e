"""The search results' cards and the wish button, written in Python.

A page of results is twenty cards; through the template engine each cost about a millisecond
(an include, a loop over age bands, a dozen translation tags), two thirds of a search nobody
asked before. The markup is fixed and plain, so it is written here with ``format_html``, which
escapes every value; the same ids, headings, labels and ARIA attributes as before. The wish
button submits the page's one ``wish-form`` (childcare/includes/wish_form.html), so a card holds
nothing personal but the wish list state.
"""

import datetime

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from childcare.facilities.search import BandAvailability, FacilityResult


def wish_button(*, facility, basket, basket_full: bool, max_wishes: int) -> SafeString:
    """The wish list state of ``facility`` and the button that adds it or takes it off."""
    if facility.slug in basket:
        return format_html(
            '<div class="d-flex flex-wrap align-items-center gap-2 mb-0">'
            '<span class="text-success fw-semibold"><span aria-hidden="true">✓</span> {}</span>'
            '<button type="submit" form="wish-form" formaction="{}" class="btn btn-link btn-sm p-0">'
            '{}<span class="visually-hidden">: {}</span></button></div>',
            gettext("On your wish list"),
            reverse("parents:wish_remove", args=[facility.slug]),
            gettext("Remove"),
            facility.name,
        )
    if not facility.accepts_applications:
        return format_html(
            '<p class="mb-0 text-body-secondary">{}</p>', gettext("Not accepting applications at the moment.")
        )
    if basket_full:
        text = ngettext(
            "Your wish list is full: at most %(max)s facility.",
            "Your wish list is full: at most %(max)s facilities.",
            max_wishes,
        ) % {"max": max_wishes}
        return format_html('<p class="mb-0 text-body-secondary">{}</p>', text)
    return format_html(
        '<button type="submit" form="wish-form" formaction="{}" class="btn btn-outline-primary btn-sm">'
        '{}<span class="visually-hidden">: {}</span></button>',
        reverse("parents:wish_add", args=[facility.slug]),
        gettext("Add to my wishes"),
        facility.name,
    )


def _badge(free: int, text: str) -> SafeString:
    tone = "text-bg-success" if free else "text-bg-light border"
    return format_html('<span class="badge {}">{}</span>', tone, text)


def _band(band: BandAvailability, start_label: str) -> SafeString:
    places = ngettext("%(places)s place", "%(places)s places", band.places) % {"places": band.places}
    return format_html(
        '<li class="mb-1"><strong>{}</strong>: {} · {} {}</li>',
        band.label,
        places,
        _badge(band.free_now, gettext("%(free)s free today") % {"free": band.free_now}),
        _badge(
            band.free_at_start,
            gettext("%(free)s free on %(date)s") % {"free": band.free_at_start, "date": start_label},
        ),
    )


def facility_card(
    result: FacilityResult, *, start: datetime.date | None, basket, basket_full: bool, max_wishes: int
) -> SafeString:
    """One search result: what parents compare and the button for the wish list."""
    facility = result.facility
    start_label = date_format(start, "SHORT_DATE_FORMAT") if start else ""
    distance = (
        format_html(
            '<p class="mb-2 fw-semibold">{}</p>',
            gettext("%(distance)s km away") % {"distance": floatformat(result.distance_km, 1)},
        )
        if result.distance_km is not None
        else ""
    )
    bands = (
        format_html_join("", "{}", ((_band(band, start_label),) for band in result.bands))
        if result.bands
        else format_html("<li>{}</li>", gettext("No places recorded."))
    )
    concepts = format_html_join(
        "",
        '<li class="list-inline-item badge text-bg-light border">{}</li>',
        ((c,) for c in result.concept_labels),
    )
    if facility.barrier_free:
        concepts += format_html(
            '<li class="list-inline-item badge text-bg-info">{}</li>', gettext("Barrier-free")
        )
    hours = gettext("up to %(hours)s hours a week") % {"hours": facility.max_care_hours}
    return format_html(
        '<article class="card h-100 facility-card" aria-labelledby="facility-{pk}-name">'
        '<div class="card-body">'
        '<h3 class="h5 card-title" id="facility-{pk}-name"><a href="{url}">{name}</a></h3>'
        '<p class="card-subtitle mb-2 text-body-secondary">{type} · {provider} ({kind})</p>'
        "{distance}"
        '<p class="mb-2">{street}, {postcode} {city}<br>'
        '<span class="text-body-secondary">{district_label}: {district}</span></p>'
        '<p class="mb-2">{hours_label}: {opens}–{closes} · {hours}</p>'
        '<ul class="list-unstyled mb-2" aria-label="{bands_label}">{bands}</ul>'
        '<ul class="list-inline mb-2" aria-label="{concept_label}">{concepts}</ul>'
        "{button}"
        "</div></article>",
        pk=facility.pk,
        url=result.url,
        name=facility.name,
        type=result.type_label,
        provider=facility.provider.name,
        kind=result.provider_kind_label,
        distance=distance,
        street=facility.street,
        postcode=facility.postcode,
        city=facility.city,
        district_label=gettext("District"),
        district=facility.district,
        hours_label=gettext("Opening hours"),
        opens=time_format(facility.opens_at, "H:i"),
        closes=time_format(facility.closes_at, "H:i"),
        hours=hours,
        bands_label=gettext("Places per age band"),
        bands=bands,
        concept_label=gettext("Concept"),
        concepts=mark_safe(concepts),  # noqa: S308 (built with format_html above)
        button=wish_button(facility=facility, basket=basket, basket_full=basket_full, max_wishes=max_wishes),
    )
