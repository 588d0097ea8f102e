"""The staff waitlist page's body around its rows, written in Python.

The heading with the list's figures, the filter form, "offer the next places", the table with its
rows (``waitlist_rows``), the form all rows' buttons belong to and the page links. Through the template
language this part alone cost more than a millisecond a page at city scale; here every fixed text is
translated once per language and every value escaped once, where it is put in. It writes the
markup the page's template wrote before, character for character but for the whitespace between
the page links (compared for 24 lists, filters and pages, in German and English, when it replaced
the template).
"""

import datetime
import functools
from dataclasses import dataclass
from html import escape

from django.core.paginator import Page
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from portal.pagination import page_links


@dataclass(frozen=True)
class _Texts:
    """The body's fixed texts in one language (translations, put in as the template tags put them)."""

    my_facilities: str
    heading: str  # "%(name)s"
    filter_label: str
    filter: str
    export: str
    offer_next: str
    offer_next_help: str
    make_offers: str
    caption: str  # "%(band)s"
    columns: str
    actions: str
    nothing: str


@functools.lru_cache(maxsize=16)
def _texts(language: str | None) -> _Texts:
    columns = (
        _("Position"),
        _("Child"),
        _("Desired start"),
        _("Care scope"),
        _("Wish rank"),
        _("Points"),
        _("Submitted"),
        _("State"),
    )
    return _Texts(
        my_facilities=_("My facilities"),
        heading=_("Waitlist · %(name)s"),
        filter_label=_("Filter the waitlist"),
        filter=_("Filter"),
        export=_("Export as CSV"),
        offer_next=_("Offer the next places"),
        offer_next_help=_(
            "The candidates at the top of the list who are waiting get an offer, never more than there "
            "are free places."
        ),
        make_offers=_("Make the offers"),
        caption=_("Candidates for %(band)s, best first"),
        columns="".join(f'      <th scope="col">{column}</th>\n' for column in columns),
        actions=_("Actions"),
        nothing=_("No candidates match these filters."),
    )


@dataclass(frozen=True)
class WaitlistBody:
    """What the body shows; ``rows`` and the form fields are markup written elsewhere."""

    facility_slug: str
    facility_name: str
    band_label: str
    places: int
    free_now: int
    total: int
    query: QueryDict  # the request's query string: the CSV link and the page links keep the filters
    form: object  # the filter form (its errors, if any, are summed up above it)
    fields: dict[str, SafeString]
    offer_next_fields: dict[str, SafeString]
    rows: SafeString
    has_candidates: bool
    actions_form: str
    back: str
    deadline: datetime.date
    csrf_token: str
    page: Page
    page_range: object


def _csrf(token: str) -> str:
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


def body(page: WaitlistBody) -> SafeString:
    texts = _texts(get_language())
    slug = page.facility_slug
    back = escape(page.back)
    csrf = _csrf(page.csrf_token)
    csv_query = page.query.copy()
    csv_query.pop("page", None)
    csv_link = escape(
        reverse("backoffice:waitlist_csv", args=[slug])
        + (f"?{csv_query.urlencode()}" if csv_query or page.query else "")
    )
    figures = ",\n  ".join(
        (
            ngettext("%(places)s place", "%(places)s places", page.places) % {"places": page.places},
            _("%(free)s free today") % {"free": page.free_now},
            ngettext("%(total)s child on the waitlist", "%(total)s children on the waitlist", page.total)
            % {"total": page.total},
        )
    )
    errors = render_to_string("includes/form_errors.html", {"form": page.form}) if page.form.errors else ""
    fields, offer_next = page.fields, page.offer_next_fields
    parts = [
        f'\n<p class="mb-1"><a href="{reverse("backoffice:facilities")}">{texts.my_facilities}</a></p>\n'
        f"<h1>{texts.heading % {'name': escape(page.facility_name)}}</h1>\n"
        f'<p class="lead">{escape(page.band_label)}:\n  {figures}\n</p>\n\n'
        f"{errors}\n"
        f'<form method="get" class="row g-2 align-items-end mb-3" aria-label="{texts.filter_label}">\n'
        f'  <div class="col-sm-4 col-lg-3">{fields["age_band"]}</div>\n'
        f'  <div class="col-sm-4 col-lg-3">{fields["state"]}</div>\n'
        f'  <div class="col-sm-4 col-lg-3">{fields["start_month"]}</div>\n'
        '  <div class="col-lg-3 mb-3 d-flex flex-wrap gap-2">\n'
        f'    <button type="submit" class="btn btn-primary">{texts.filter}</button>\n'
        f'    <a class="btn btn-outline-secondary" href="{csv_link}">{texts.export}</a>\n'
        "  </div>\n</form>\n\n"
        '<details class="card mb-3">\n'
        f'  <summary class="card-header">{texts.offer_next}</summary>\n'
        '  <div class="card-body">\n'
        f"    <p>{texts.offer_next_help}</p>\n"
        f'    <form method="post" action="{reverse("backoffice:offer_next", args=[slug])}"'
        f' class="row g-2 align-items-end">{csrf}\n'
        f'      <input type="hidden" name="next" value="{back}">\n'
        f'      <div class="col-sm-6 col-lg-3">{offer_next["age_band"]}</div>\n'
        f'      <div class="col-sm-6 col-lg-2">{offer_next["count"]}</div>\n'
        f'      <div class="col-sm-6 col-lg-3">{offer_next["start_date"]}</div>\n'
        f'      <div class="col-sm-6 col-lg-3">{offer_next["answer_by"]}</div>\n'
        '      <div class="col-12">'
        f'<button type="submit" class="btn btn-primary">{texts.make_offers}</button></div>\n'
        "    </form>\n  </div>\n</details>\n\n"
    ]
    if page.has_candidates:
        parts.append(
            '\n<div class="table-responsive">\n<table class="table align-top waitlist-table">\n'
            f"  <caption>{texts.caption % {'band': escape(page.band_label)}}</caption>\n"
            f"  <thead>\n    <tr>\n{texts.columns}"
            f'      <th scope="col" class="actions-cell">{texts.actions}</th>\n'
            f"    </tr>\n  </thead>\n  <tbody>\n{page.rows}\n  </tbody>\n</table>\n</div>\n\n"
            f'<form id="{page.actions_form}" method="post">{csrf}\n'
            f'  <input type="hidden" name="next" value="{back}">\n'
            f'  <input type="hidden" name="answer_by" value="{page.deadline.isoformat()}">\n'
            f"</form>\n{page_links(page.query, page.page, page.page_range)}\n\n"
        )
    else:
        parts.append(f"\n<p>{texts.nothing}</p>\n\n")
    # Fixed texts are the portal's translations; every value is escaped where it is put in.
    return mark_safe("".join(parts))  # noqa: S308
