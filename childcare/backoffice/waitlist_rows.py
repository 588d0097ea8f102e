"""The rows of the staff waitlist table, written in Python.

Fifty rows through the template language, each with four inline forms, were most of the page's
time at city scale, and ``format_html`` per cell still cost a millisecond a page. The rows are
plain, so this module writes them with f-strings: every value that comes from the database goes
through ``escape`` (``html.escape``, quotes included) exactly once, where it is put in; labels are
translated and escaped once per language, URLs reversed once, dates formatted once per page.

Each row offers the most frequent action, a place on the suggested terms, as a button; the others
(offer with other dates, reject, record a placement, add a note) link to their own form pages, which
come back to the list. The buttons of all rows belong to one form after the table
(``ACTIONS_FORM``), which carries the CSRF token, the way back and the offer deadline once; a
button names its own action (``formaction``) and its start date (its value). Every button's and
link's accessible name names the child and the application.
"""

import datetime
import functools
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from childcare.admissions import explanations
from childcare.backoffice.waitlist_listing import Candidate
from childcare.models import AgeBand, WishStatus
from portal.date_patterns import strftime_pattern

ACTIONS_FORM = "candidate-actions"

# The row URLs differ only in the facility and an id: each is reversed once with these stand-ins.
_SLUG = "facility-stand-in"
_ID = str(uuid.UUID(int=0))


@functools.lru_cache(maxsize=8)
def _url_patterns(script_prefix: str, urlconf) -> dict[str, str]:
    """The row URLs with stand-ins, for the script prefix and URLconf ``reverse`` reads them with."""
    urls = {
        name: reverse(f"backoffice:{name}", args=[_SLUG, _ID])
        for name in ("offer_make", "wish_reject", "placement_record", "offer_withdraw")
    }
    urls["note_add"] = reverse("backoffice:note_add", args=[_ID])
    urls["application"] = reverse("backoffice:application", args=[_ID])
    return urls


@dataclass(frozen=True)
class RowContext:
    """What every row of one page shares: URL patterns, the way back, the band, the offer deadline."""

    urls: dict[str, tuple[str, str]]  # each URL escaped, split where the id goes
    back_query: str
    band_label: str
    deadline: datetime.date

    @classmethod
    def for_page(
        cls, *, facility_slug: str, age_band: str, back: str, deadline: datetime.date
    ) -> "RowContext":
        patterns = _url_patterns(get_script_prefix(), get_urlconf())
        return cls(
            urls={
                name: tuple(escape(url.replace(_SLUG, facility_slug)).split(_ID, 1))
                for name, url in patterns.items()
            },
            back_query=escape("?" + urlencode({"next": back})),
            band_label=escape(str(AgeBand(age_band).label)),
            deadline=deadline,
        )


class _Dates:
    """Short dates as ``|date:"SHORT_DATE_FORMAT"`` writes them, each distinct day formatted once.

    A page has some fifty dates; a format strftime can write (``portal.date_patterns``) is written
    that way, any other goes through ``date_format``.
    """

    def __init__(self):
        self._seen: dict[datetime.date, str] = {}
        self._pattern = strftime_pattern(get_format("SHORT_DATE_FORMAT"))

    def __call__(self, day: datetime.date | None) -> str:
        if day is None:
            return "–"
        if day not in self._seen:
            if self._pattern:  # the same days come back page after page: each is written once
                self._seen[day] = _strftime_escaped(day, self._pattern)
            else:
                self._seen[day] = escape(date_format(day, "SHORT_DATE_FORMAT"))
        return self._seen[day]


@functools.lru_cache(maxsize=8192)
def _strftime_escaped(day: datetime.date, pattern: str) -> str:
    return escape(day.strftime(pattern))


@dataclass(frozen=True)
class _Texts:
    """The rows' texts in one language, escaped; those with a placeholder take an (escaped) value."""

    actions: str
    withdraw_offer: str
    offer_a_place: str
    other_terms: str
    reject: str
    record_placement: str
    add_note: str
    states: dict[str, str]
    terms: str
    hours: str
    answer_by: str


@functools.lru_cache(maxsize=16)
def _texts(language: str | None) -> _Texts:
    """The texts for ``language`` (the active one): translated and escaped once per process."""
    return _Texts(
        actions=escape(_("Actions")),
        withdraw_offer=escape(_("Withdraw offer")),
        offer_a_place=escape(_("Offer a place")),
        other_terms=escape(_("Offer with other dates")),
        reject=escape(_("Reject")),
        record_placement=escape(_("Record placement")),
        add_note=escape(_("Add note")),
        states={value: escape(str(label)) for value, label in WishStatus.choices},
        # escaped before the (escaped) values go in: "%(name)s" holds nothing escape() changes
        terms=escape(_("Offer from %(start)s, answer by %(deadline)s")),
        hours=escape(_("%(hours)s h/week")),
        answer_by=escape(_("answer by %(deadline)s")),
    )


@functools.lru_cache(maxsize=4096)
def _explanation_line(language: str | None, criterion: str, points: int) -> str:
    """One line of a points explanation as a list item, in ``language`` (the active one)."""
    [line] = explanations.explain_points({criterion: points})
    return f"<li>{escape(line)}</li>"


class _Labels:
    """The page's texts in the request's language, and the ones that take a value."""

    def __init__(self, dates: _Dates, deadline: datetime.date):
        texts = _texts(get_language())
        self.actions = texts.actions
        self.withdraw_offer = texts.withdraw_offer
        self.offer_a_place = texts.offer_a_place
        self.other_terms = texts.other_terms
        self.reject = texts.reject
        self.record_placement = texts.record_placement
        self.add_note = texts.add_note
        self.states = texts.states
        self._terms = texts.terms
        self._hours = texts.hours
        self._answer_by = texts.answer_by
        self._deadline = dates(deadline)
        self._dates = dates
        self._starts: dict[datetime.date | None, datetime.date] = {}

    def terms(self, start: datetime.date) -> str:
        return self._terms % {"start": self._dates(start), "deadline": self._deadline}

    def offer_start(self, candidate: Candidate) -> datetime.date:
        """``candidate.offer_start``, worked out once per desired start (many families share one)."""
        if candidate.desired_start not in self._starts:
            self._starts[candidate.desired_start] = candidate.offer_start
        return self._starts[candidate.desired_start]

    def hours(self, hours: int | None) -> str:
        return self._hours % {"hours": hours} if hours else "–"  # hours: an integer

    def answer_by(self, expires_at: datetime.datetime) -> str:
        return self._answer_by % {"deadline": self._dates(timezone.localdate(expires_at))}


@functools.lru_cache(maxsize=4096)
def _points_cell(language: str | None, points: int, explanation_json: str) -> str:
    """The points, with their explanation to unfold, in ``language`` (the active one); many families
    share the same criteria and points, so each distinct cell is written once per process."""
    items = [
        _explanation_line(language, criterion, value)
        for criterion, value in (json.loads(explanation_json) or {}).items()
    ]
    if not items:
        return str(points)
    return f'<details><summary>{points}</summary><ul class="small mb-0 ps-3">{"".join(items)}</ul></details>'


def _actions(
    candidate: Candidate, public_id: str, reference: str, who: str, page: RowContext, labels: _Labels
) -> str:
    def link(name: str, label: str) -> str:
        before, after = page.urls[name]
        return f'<a href="{before}{public_id}{after}{page.back_query}">{label}{who}</a>'

    note = link("note_add", labels.add_note)
    if candidate.offer_public_id:
        before, after = page.urls["offer_withdraw"]
        offer_id = candidate.offer_public_id
        body = (
            f'<button type="submit" form="{ACTIONS_FORM}" formaction="{before}{offer_id}{after}"'
            f' class="btn btn-sm btn-outline-danger">{labels.withdraw_offer}{who}</button>\n{note}'
        )
    elif candidate.status == WishStatus.ACTIVE:
        start = labels.offer_start(candidate)
        before, after = page.urls["offer_make"]
        body = (
            f'<button type="submit" form="{ACTIONS_FORM}" formaction="{before}{public_id}{after}"'
            f' name="start_date" value="{start.isoformat()}" aria-describedby="offer-terms-{public_id}"'
            f' class="btn btn-sm btn-primary">{labels.offer_a_place}{who}</button>\n'
            f'<span class="small" id="offer-terms-{public_id}">{labels.terms(start)}</span>\n'
            f"{link('offer_make', labels.other_terms)}\n{link('wish_reject', labels.reject)}\n"
            f"{link('placement_record', labels.record_placement)}\n{note}"
        )
    else:
        body = note
    return (
        f'<details><summary>{labels.actions}<span class="visually-hidden">: {reference}</span></summary>'
        f'<div class="d-grid gap-2 mt-2 candidate-actions">{body}</div></details>'
    )


def candidate_rows(candidates: Iterable[Candidate], page: RowContext) -> SafeString:
    """The table body's rows, one per candidate, with their actions."""
    dates = _Dates()
    labels = _Labels(dates, page.deadline)
    language = get_language()
    application_before, application_after = page.urls["application"]
    rows = []
    for candidate in candidates:
        public_id = str(candidate.public_id)
        reference = escape(candidate.reference)
        first_name = escape(candidate.first_name)
        who = f'<span class="visually-hidden">: {first_name}, {reference}</span>'
        state = labels.states.get(candidate.status) or escape(candidate.status)
        if candidate.offer_expires_at:
            state += f'<br><span class="small">{labels.answer_by(candidate.offer_expires_at)}</span>'
        points = _points_cell(language, candidate.points, candidate.points_explanation_json)
        rows.append(
            f'<tr id="candidate-{public_id}">\n<td>{candidate.position}</td>\n'
            f'<th scope="row"><a class="reference" href="{application_before}{public_id}{application_after}">'
            f"{reference}</a><br>{first_name}"
            f' <span class="text-body-secondary small">· {page.band_label}</span></th>\n'
            f"<td>{dates(candidate.desired_start)}</td>\n<td>{labels.hours(candidate.care_hours_per_week)}</td>\n"
            f"<td>{candidate.rank}</td>\n<td>{points}</td>\n"
            f"<td>{dates(candidate.submitted)}</td>\n<td>{state}</td>\n"
            f'<td class="actions-cell">{_actions(candidate, public_id, reference, who, page, labels)}'
            "</td>\n</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308  (every value escaped where it is put in)
