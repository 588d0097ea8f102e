"""Documents attached to a message, rendered when it is sent rather than when it is written.

An outbox row stores only ``{"kind": ..., "object_id": ...}``; the app that owns the
document registers a renderer for the kind, e.g.::

    @register_attachment("application_receipt")
    def application_receipt(object_id: int, language: str) -> tuple[str, bytes, str]:
        return "Eingangsbestaetigung.pdf", pdf_bytes, "application/pdf"
"""

from collections.abc import Callable
from typing import NamedTuple

from django.core.exceptions import ImproperlyConfigured

Renderer = Callable[[int, str], tuple[str, bytes, str]]

RENDERERS: dict[str, Renderer] = {}


class RenderedAttachment(NamedTuple):
    filename: str
    content: bytes
    mimetype: str


class UnknownAttachmentKind(LookupError):
    """No renderer is registered for an attachment kind; sending cannot succeed by retrying."""


def register_attachment(kind: str) -> Callable[[Renderer], Renderer]:
    def decorator(renderer: Renderer) -> Renderer:
        if RENDERERS.get(kind, renderer) is not renderer:
            raise ImproperlyConfigured(f"Two renderers for attachment kind {kind!r}")
        RENDERERS[kind] = renderer
        return renderer

    return decorator


def validate_attachment_spec(spec: dict) -> None:
    """Fail at write time on a malformed entry, so the mistake surfaces in the caller's code."""
    if not isinstance(spec, dict) or set(spec) != {"kind", "object_id"} or not isinstance(spec["kind"], str):
        raise ValueError(f'An attachment is {{"kind": str, "object_id": ...}}, got {spec!r}')


def render_attachment(spec: dict, *, language: str) -> RenderedAttachment:
    try:
        renderer = RENDERERS[spec["kind"]]
    except KeyError:
        raise UnknownAttachmentKind(f"No renderer registered for attachment kind {spec['kind']!r}") from None
    return RenderedAttachment(*renderer(spec["object_id"], language))
