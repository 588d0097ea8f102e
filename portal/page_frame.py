"""The page's frame: the head's assets, the navigation and the footer around every page.

The frame is the same for every visitor of one kind: language, area (staff or family), role and
the portal's names. Only a few slots differ per request: the CSRF token of the sign-out and
language forms, the page's own address (where the language switch returns to), the signed-in
address and the inbox's unread count. So each process renders the frame's template once per kind
of visitor, with markers in those slots, and keeps the result; a request fills the markers in
with escaped values. Through the template engine the frame cost about a millisecond per page,
more than many pages' own work.
"""

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from notifications.selectors import unread_count
from portal.models import PortalSettings

# Markers put into the slots when a frame is rendered to be kept. Letters and digits only, so
# escaping leaves them as they are, and nothing a page shows can contain them by chance.
CSRF = "kpframeslot7csrf"
NEXT = "kpframeslot7next"
EMAIL = "kpframeslot7email"
UNREAD = "kpframeslot7unread"
# A whole page kept (``page``) has two more: its title and its content.
TITLE = "kpframeslot7title"
CONTENT = "kpframeslot7content"
_SLOTS = re.compile(f"({CSRF}|{NEXT}|{EMAIL}|{UNREAD}|{TITLE}|{CONTENT})")
# ``base.html`` with a title and a content block that are markup already (``page``).
SHELL_TEMPLATE = "includes/page_shell.html"
# Hands the filled-in page to the template engine as one value, so that what watches templates
# being rendered (the test client's context) sees the page's context as for any other page.
FILLED_TEMPLATE = "includes/page_filled.html"

MAX_KEPT = 256  # kinds of visitors × languages × years; far more than a portal has

_kept: OrderedDict[tuple, str] = OrderedDict()
_lock = threading.Lock()


class _Visitor:
    """What the frame's templates read of the user, with the address as its marker."""

    def __init__(self, user):
        self.is_authenticated = user.is_authenticated
        self.is_municipal_office = bool(getattr(user, "is_municipal_office", False))
        self.is_staff = bool(getattr(user, "is_staff", False))
        self.email = EMAIL


def _unread_count(context) -> int:
    inbox = context.get("inbox")
    return inbox.unread_count if inbox is not None else 0


def _settings(context) -> PortalSettings:
    """The settings the page's context already loads (one read per request), else loaded here."""
    settings = context.get("portal_settings")
    return settings if settings is not None else PortalSettings.load()


def _rendered(key: tuple, template_name: str, context: Callable[[], dict]) -> str:
    """The kept frame part ``key``; rendered with ``context()`` the first time."""
    html = _kept.get(key)
    if html is not None:
        return html
    html = get_template(template_name).render(context())
    with _lock:
        _kept[key] = html
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    return html


def _kind(visitor: _Visitor, session, unread: int, settings: PortalSettings, language: str) -> tuple:
    """What the navigation differs by: language, area, role, a badge or none, the portal's names."""
    return (
        language,
        bool(session.get("staff_area")),
        bool(session.get("family_area")),
        visitor.is_authenticated,
        visitor.is_municipal_office,
        visitor.is_staff,
        bool(unread),
        settings.portal_name,
        settings.municipality_name,
    )


def forget() -> None:
    """Drop every kept frame (tests; a process picks up template changes when it restarts)."""
    with _lock:
        _kept.clear()


def head_assets() -> SafeString:
    """The stylesheets and icon, with their hashed file names looked up once per process."""
    html = _rendered(
        ("head",),
        "includes/frame_head.html",
        lambda: {
            "icon": static("portal/favicon.svg"),
            "bootstrap": static("vendor/bootstrap/bootstrap.min.css"),
            "portal_css": static("portal/portal.css"),
        },
    )
    return mark_safe(html)  # noqa: S308 (rendered by the template engine, which escaped it)


def scripts() -> SafeString:
    html = _rendered(
        ("scripts",),
        "includes/frame_scripts.html",
        lambda: {"bootstrap_js": static("vendor/bootstrap/bootstrap.bundle.min.js")},
    )
    return mark_safe(html)  # noqa: S308


def header(context) -> SafeString:
    """The navigation for this request's visitor, its slots filled in."""
    request = context["request"]
    user = context.get("user") or request.user
    session = request.session
    staff_area, family_area = session.get("staff_area"), session.get("family_area")
    visitor = _Visitor(user)
    unread = _unread_count(context) if visitor.is_authenticated else 0
    settings = _settings(context)
    language = translation.get_language()
    key = ("header", *_kind(visitor, session, unread, settings, language))
    html = _rendered(
        key,
        "includes/frame_header.html",
        lambda: {
            "staff_area": staff_area,
            "family_area": family_area,
            "user": visitor,
            "unread_count": UNREAD,
            "has_unread": bool(unread),
            "csrf_token": CSRF,
            "next_path": NEXT,
            "portal_settings": settings,
            "LANGUAGE_CODE": language,
        },
    )
    if context.get("frame_slots_open"):  # a kept page (``page``) fills them in itself
        return mark_safe(html)  # noqa: S308
    # The page's own forms read the same token (one masking per request, not one per use).
    token = context.get("csrf_token") or get_token(request)
    html = html.replace(CSRF, escape(str(token))).replace(NEXT, escape(request.get_full_path()))
    if visitor.is_authenticated:
        html = html.replace(EMAIL, escape(user.email)).replace(UNREAD, str(unread))
    return mark_safe(html)  # noqa: S308 (the kept part was escaped by the template engine; slots above)


def footer(context) -> SafeString:
    request = context["request"]
    staff_area = bool(request.session.get("staff_area"))
    settings = _settings(context)
    year = timezone.localdate().year
    key = (
        "footer",
        translation.get_language(),
        staff_area,
        year,
        settings.municipality_name,
        settings.contact_email,
    )
    html = _rendered(
        key,
        "includes/frame_footer.html",
        lambda: {"staff_area": staff_area, "year": year, "portal_settings": settings},
    )
    return mark_safe(html)  # noqa: S308


@functools.lru_cache(maxsize=MAX_KEPT)
def _pieces(html: str) -> tuple[str, ...]:
    """A kept page cut at its slots: text, slot, text, slot, ..., text."""
    return tuple(_SLOTS.split(html))


def page(request, *, title: str, content: SafeString, context: dict) -> HttpResponse:
    """A whole page of the portal around ``content``, markup a view wrote in Python.

    ``base.html`` renders the frame around a page in about half a millisecond through the template
    engine, more than some pages' own work. Here each process renders it once per kind of visitor
    (the frame's keys) with the title, the content and the frame's slots left open, keeps it, and a
    request fills them in: the title escaped, the content as it is. A request with messages to
    show is rendered through the template engine, as every page is. ``context`` is the page's
    context for whoever reads it (the test client); the frame takes what it needs from the request.
    """
    if len(messages.get_messages(request)):
        return render(request, SHELL_TEMPLATE, {**context, "title": title, "content": content})
    user = request.user
    visitor = _Visitor(user)
    unread = unread_count(user=user) if visitor.is_authenticated else 0  # as the inbox badge reads it
    settings = PortalSettings.load()
    kind = _kind(visitor, request.session, unread, settings, translation.get_language())
    # The navigation's kind, and what the footer adds to it.
    key = ("page", *kind, timezone.localdate().year, settings.contact_email)
    html = _kept.get(key)
    if html is None:
        html = render(
            request,
            SHELL_TEMPLATE,
            {"title": TITLE, "content": CONTENT, "frame_slots_open": True, "messages": ()},
        ).content.decode()
        with _lock:
            _kept[key] = html
            while len(_kept) > MAX_KEPT:
                _kept.popitem(last=False)
    values = {
        TITLE: escape(title),
        CONTENT: content,
        CSRF: escape(str(context.get("csrf_token") or get_token(request))),
        NEXT: escape(request.get_full_path()),
        EMAIL: escape(user.email) if visitor.is_authenticated else EMAIL,
        UNREAD: str(unread),
    }
    filled = "".join(values.get(piece, piece) for piece in _pieces(html))
    # The kept page was escaped by the template engine; the title and the slots above are.
    body = get_template(FILLED_TEMPLATE).render({**context, "page": mark_safe(filled)})  # noqa: S308
    return HttpResponse(body)
