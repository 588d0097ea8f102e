"""Subject, plain text and HTML of a message, in the recipient's language.

Templates live in ``templates/notifications/<kind>/`` as ``subject.txt``, ``body.txt``
(extending ``notifications/email/base.txt``) and ``body.html`` (extending
``notifications/email/base.html``). Text templates are rendered without HTML escaping;
the HTML template escapes everything the caller passes.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from notifications.kinds import NotificationKind
from portal.models import PortalSettings

SUBJECT_MAX_LENGTH = 255
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)


@dataclass(frozen=True)
class RenderedMessage:
    language: str
    subject: str
    body_text: str
    body_html: str


def supported_language(code: str) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    return code if code in supported else settings.LANGUAGE_CODE


def absolute_url(path_or_url: str) -> str:
    return f"{settings.SITE_URL}{path_or_url}" if path_or_url.startswith("/") else path_or_url


def render_message(
    *,
    kind: NotificationKind,
    context: Mapping,
    recipient=None,
    language: str = "",
    portal_settings: PortalSettings | None = None,
) -> RenderedMessage:
    """Render one kind in the language of ``recipient`` (a user) or, without one, in ``language``.

    Every name the kind declares must be in ``context``. Without a recipient the e-mail leaves
    out the links to the inbox and the preferences: there is no account to sign in to. Callers
    rendering many messages pass ``portal_settings`` once instead of a query per message.
    """
    missing = [name for name in kind.context if name not in context]
    if missing:
        raise ValueError(f"Notification {kind.name!r} needs context {', '.join(missing)}")
    portal_settings = portal_settings or PortalSettings.load()
    full_context = {
        **context,
        "recipient": recipient,
        "portal_settings": portal_settings,
        "site_url": settings.SITE_URL,
        "inbox_url": absolute_url(reverse("notifications:inbox")),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
    }
    if "link" in context:
        full_context["link"] = absolute_url(str(context["link"]))
    language = supported_language(recipient.language if recipient is not None else language)
    with translation.override(language):
        subject = " ".join(_render_text(f"notifications/{kind.name}/subject.txt", full_context).split())
        subject = f"[{portal_settings.portal_name}] {subject}"[:SUBJECT_MAX_LENGTH]
        body_text = _tidy(_render_text(f"notifications/{kind.name}/body.txt", full_context))
        body_html = render_to_string(f"notifications/{kind.name}/body.html", full_context)
    return RenderedMessage(language=language, subject=subject, body_text=body_text, body_html=body_html)


def _render_text(template_name: str, context: dict) -> str:
    template = engines["django"].get_template(template_name).template
    return template.render(Context(context, autoescape=False))


def _tidy(text: str) -> str:
    """Template tags leave stray spaces and blank lines; a plain-text e-mail should not show them."""
    return _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("", text)).strip() + "\n"
