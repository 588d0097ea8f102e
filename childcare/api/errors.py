"""Every API error as an RFC 9457 problem details body (``application/problem+json``).

``type`` names the kind of problem (a URI under /api/problems/), ``title`` says it in the
reader's language, ``detail`` says what happened here, ``instance`` is the request path.
Validation errors add ``errors``: field -> list of messages.
"""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from childcare.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/api/problems/"


def _titles() -> dict[int, tuple[str, str]]:
    """Status -> (type slug, translated title); built per call so the title follows the language."""
    return {
        400: ("invalid-request", _("The request is not valid.")),
        401: ("not-authenticated", _("Authentication is needed.")),
        403: ("forbidden", _("This is not allowed.")),
        404: ("not-found", _("Not found.")),
        405: ("method-not-allowed", _("This method is not allowed here.")),
        406: ("not-acceptable", _("This response format is not available.")),
        409: ("conflict", _("The request conflicts with the current state.")),
        415: ("unsupported-media-type", _("This request format is not supported.")),
        429: ("too-many-requests", _("Too many requests.")),
    }


def problem(
    *, status_code: int, detail: str, instance: str, errors: dict | None = None, slug: str = ""
) -> dict:
    default_slug, title = _titles().get(status_code, ("error", _("The request failed.")))
    body = {
        "type": PROBLEM_TYPE_BASE + (slug or default_slug),
        "title": str(title),
        "status": status_code,
        "detail": str(detail),
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested error detail as field -> messages; errors of the whole input under "non_field_errors"."""
    if isinstance(detail, list):
        return {"non_field_errors": [str(message) for message in detail]}
    flat: dict[str, list[str]] = {}
    for field, messages in detail.items():
        if isinstance(messages, dict):
            for inner, inner_messages in _flatten(messages).items():
                flat[f"{field}.{inner}"] = inner_messages
        else:
            flat[field] = [
                str(message) for message in (messages if isinstance(messages, list) else [messages])
            ]
    return flat


def problem_details_handler(exc, context):
    """DRF's exception handler, answering in problem details; anything it does not know stays a 500."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    request = context["request"]
    errors = None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = _("Please correct the marked fields.")
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    body = problem(
        status_code=response.status_code,
        detail=detail,
        instance=request.path,
        errors=errors,
        slug=_slug_for(exc),
    )
    headers = {
        name: value
        for name, value in response.items()
        if name in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    # The browsable API renders the same body as HTML; only a JSON body is labelled as problem+json.
    renderer = getattr(request, "accepted_renderer", None)
    content_type = PROBLEM_CONTENT_TYPE if renderer is None or renderer.format == "json" else None
    return Response(body, status=response.status_code, headers=headers, content_type=content_type)


def _slug_for(exc) -> str:
    if isinstance(exc, exceptions.Throttled):
        return "too-many-requests"
    if exc.status_code == status.HTTP_401_UNAUTHORIZED or isinstance(exc, exceptions.NotAuthenticated):
        return "not-authenticated"
    return ""


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


@contextmanager
def domain_errors_as_conflict():
    """A rule that said no (the service changed nothing) answers 409 with the rule's own message."""
    try:
        yield
    except DomainError as error:
        raise Conflict(detail=str(error.message)) from None
