"""The content of "My applications" (its heading, buttons and cards), written in Python.

The family page is the busiest page, and through the template language its cards cost more than
reading them: some sixty tags a card, each resolving its variables and escaping on its own. The
markup is fixed and plain, so it is written here with f-strings, with the same ids, headings, ARIA
attributes and words as the template had: every value read from the database goes through
``escape`` (``html.escape``, quotes included, what autoescaping does) exactly once, where it is put
in; the page's words are translated and escaped once per language (``Words``). Sentences with markup
keep their msgids and take their values as ``{% blocktranslate %}`` gives them: escaped, put into
the translation with ``%``.
"""

import functools
from html import escape

from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from childcare.parents.dashboard import ApplicationCard, OpenOffer, TimelineEntry, WishLine


class Words:
    """The page's fixed words in the active language, escaped; kept per language (``words_for``)."""

    def __init__(self):
        self.heading = escape(gettext("My applications"))
        self.new_application = escape(gettext("New application"))
        self.my_children = escape(gettext("My children"))
        self.children_url = escape(reverse("parents:child_list"))
        self.none_yet = escape(gettext("You have no applications yet."))
        self.start_new = escape(gettext("Start a new application"))
        self.start_url = escape(reverse("parents:application_start"))
        self.confirm_interest = escape(gettext("Confirm your interest"))
        self.still_interested = escape(gettext("I am still interested"))
        self.open_offer = escape(gettext("Open offer"))
        self.accept = escape(gettext("Accept the place"))
        self.decline = escape(gettext("Decline"))
        self.wishes = escape(gettext("Wishes"))
        self.reason = escape(gettext("Reason"))
        self.withdraw_wish = escape(gettext("Withdraw this wish"))
        self.continue_draft = escape(gettext("Continue the application"))
        self.change = escape(gettext("Change the application"))
        self.withdraw = escape(gettext("Withdraw the application"))
        self.documents = escape(gettext("Documents"))
        self.placement_letter = escape(gettext("Confirmation of the daycare place (PDF)"))
        self.offer_letter = escape(gettext("Offer letter (PDF)"))
        self.receipt = escape(gettext("Application receipt (PDF)"))
        self.timeline = escape(gettext("Timeline"))
        # Sentences with markup: translated as they are, the values escaped.
        self.confirm_by = gettext(
            "Please confirm by <strong>%(deadline)s</strong> that you still need a place. "
            "Otherwise your child is taken off the waitlists."
        )
        self.offer_title = gettext("Offer: a place at %(facility)s")
        self.offer_dates = gettext("Start: %(start)s. Please answer by <strong>%(deadline)s</strong>.")


@functools.cache
def words_for(language: str | None, script_prefix: str) -> Words:
    """The words of ``language`` (the active one): a process never changes its translations. The
    script prefix is part of the key for the two links among them."""
    return Words()


def applications_page(cards: list[ApplicationCard], *, csrf_token: str) -> SafeString:
    """The page under its title: the heading, the buttons to apply and to the children, and the
    cards (or a note that there are none yet)."""
    words = words_for(get_language(), get_script_prefix())
    cards_html = application_cards(cards, csrf_token=csrf_token) or f"<p>{words.none_yet}</p>\n"
    return mark_safe(  # noqa: S308 (escaped where the values are put in)
        f"<h1>{words.heading}</h1>\n"
        '<p class="d-flex flex-wrap gap-2">\n'
        f'<a class="btn btn-primary" href="{words.start_url}">{words.new_application}</a>\n'
        f'<a class="btn btn-outline-primary" href="{words.children_url}">{words.my_children}</a>\n'
        f"</p>\n{cards_html}"
    )


def application_cards(cards: list[ApplicationCard], *, csrf_token: str) -> SafeString:
    """The cards in their order; ``csrf_token`` goes into the form that confirms an interest."""
    words = words_for(get_language(), get_script_prefix())
    token = escape(csrf_token)
    return mark_safe("".join(_card(card, words=words, csrf_token=token) for card in cards))  # noqa: S308 (escaped above)


def _card(card: ApplicationCard, *, words: Words, csrf_token: str) -> str:
    key = escape(str(card.public_id))
    parts = [
        f'<section class="card mb-4" id="application-{key}" aria-labelledby="title-{key}">\n'
        '<div class="card-body">\n'
        f'<h2 class="h4 card-title" id="title-{key}">{escape(card.child_first_name)} · '
        f"{escape(card.reference)}</h2>\n"
        f'<p class="mb-2"><span class="badge text-bg-secondary">{escape(card.status_label)}</span> '
        f"{escape(card.sentence)}</p>\n"
    ]
    if card.is_ended:
        parts.append(f'<p><a href="{words.start_url}">{words.start_new}</a></p>\n')
    if card.confirm_by:
        deadline = escape(date_format(timezone.localtime(card.confirm_by), "DATE_FORMAT"))
        parts.append(
            f'<div class="alert alert-info" role="region" aria-label="{words.confirm_interest}">\n'
            f'<p class="mb-2">{words.confirm_by % {"deadline": deadline}}</p>\n'
            f'<form method="post" action="{escape(card.confirm_url)}">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf_token}">\n'
            f'<button class="btn btn-success">{words.still_interested}</button>\n'
            "</form>\n</div>\n"
        )
    if card.offer:
        parts.append(_offer(card.offer, words=words))
    if card.wishes:
        parts.append(f'<h3 class="h5">{words.wishes}</h3>\n')
        parts.append('<ol class="list-group list-group-numbered mb-3">\n')
        parts.extend(_wish(wish, words=words) for wish in card.wishes)
        parts.append("</ol>\n")
    parts.append('<div class="d-flex flex-wrap gap-2 mb-3">\n')
    if card.change_url:
        if card.is_draft:
            style, text = "btn-primary", words.continue_draft
        else:
            style, text = "btn-outline-primary", words.change
        parts.append(f'<a class="btn {style}" href="{escape(card.change_url)}">{text}</a>\n')
    if card.withdraw_url:
        parts.append(
            f'<a class="btn btn-outline-danger" href="{escape(card.withdraw_url)}">{words.withdraw}</a>\n'
        )
    parts.append("</div>\n")
    if card.receipt_url or card.offer or card.placement_url:
        parts.append(f'<h3 class="h5">{words.documents}</h3>\n<ul class="mb-3">\n')
        for url, text in (
            (card.placement_url, words.placement_letter),
            (card.offer.letter_url if card.offer else "", words.offer_letter),
            (card.receipt_url, words.receipt),
        ):
            if url:
                parts.append(f'<li><a href="{escape(url)}" download>{text}</a></li>\n')
        parts.append("</ul>\n")
    if card.timeline:
        parts.append(
            f'<details>\n<summary>{words.timeline}</summary>\n<ol class="list-unstyled mt-2 mb-0">\n'
        )
        parts.extend(_timeline_entry(entry) for entry in card.timeline)
        parts.append("</ol>\n</details>\n")
    parts.append("</div>\n</section>\n")
    return "".join(parts)


def _offer(offer: OpenOffer, *, words: Words) -> str:
    title = words.offer_title % {"facility": escape(offer.facility)}
    dates = words.offer_dates % {
        "start": escape(date_format(offer.start_date, "DATE_FORMAT")),
        "deadline": escape(date_format(timezone.localtime(offer.expires_at), "DATETIME_FORMAT")),
    }
    return (
        f'<div class="alert alert-warning" role="region" aria-label="{words.open_offer}">\n'
        f'<h3 class="h5">{title}</h3>\n'
        f'<p class="mb-2">{dates}</p>\n'
        '<p class="d-flex flex-wrap gap-2 mb-0">\n'
        f'<a class="btn btn-success" href="{escape(offer.accept_url)}">{words.accept}</a>\n'
        f'<a class="btn btn-outline-danger" href="{escape(offer.decline_url)}">{words.decline}</a>\n'
        "</p>\n</div>\n"
    )


def _wish(wish: WishLine, *, words: Words) -> str:
    facility = escape(wish.facility)
    parts = [
        '<li class="list-group-item">\n<div class="d-flex flex-wrap justify-content-between gap-2">\n'
        f'<strong class="ms-1 me-auto">{facility}</strong>\n'
        f"<span>{escape(wish.status_label)}</span>\n</div>\n"
    ]
    if wish.place:
        parts.append(f'<p class="mb-1">{escape(wish.place)}</p>\n')
    if wish.rejection_reason:
        parts.append(f'<p class="mb-1">{words.reason}: {escape(wish.rejection_reason)}</p>\n')
    if wish.explained:
        lines = "".join(f"<li>{escape(line)}</li>" for line in wish.explained)
        parts.append(
            f"<details><summary>{escape(wish.points_why)}</summary>\n"
            f'<ul class="mb-0">{lines}</ul>\n</details>\n'
        )
    if wish.withdraw_url:
        parts.append(
            f'<a class="small" href="{escape(wish.withdraw_url)}">{words.withdraw_wish}'
            f'<span class="visually-hidden">: {facility}</span></a>\n'
        )
    parts.append("</li>\n")
    return "".join(parts)


def _timeline_entry(entry: TimelineEntry) -> str:
    facility = f": {escape(entry.facility)}" if entry.facility else ""
    return (
        f'<li><time datetime="{escape(entry.at)}">{escape(entry.at_text)}</time> – {escape(entry.label)}'
        f'{facility} <span class="text-body-secondary small">({escape(entry.actor)})</span></li>\n'
    )
