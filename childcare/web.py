"""What the pages of both audiences share: going back safely, and running one service for a POST."""

from collections.abc import Callable, Sequence

from django.contrib import messages
from django.shortcuts import render, resolve_url
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme

from childcare.errors import DomainError


def back_url(request, default: str) -> str:
    """Where to return after an action: the page it came from (with its filters), if it is ours.

    Only a path on this site counts ("/..." but not "//host/..."); anything else, a URL name like
    "zurueck" included, gives ``default`` (a path or a URL name). The result is always a path, so a
    redirect to it cannot fail after the action has been saved.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return resolve_url(default)


def run_service(request, perform: Callable[[], object], *, success: str | None = None) -> bool:
    """Run one service call and tell the user how it went; True when it ran.

    A ``DomainError`` (a rule said no; the service changed nothing) becomes an error message. On
    success the message is ``success``, or the text ``perform`` returned when it depends on the result.
    """
    try:
        result = perform()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    # Services return the changed object; only a text returned on purpose is shown.
    text = success if success is not None else (result if isinstance(result, str | Promise) else None)
    if text:
        messages.success(request, text)
    return True


def problem_page(
    request,
    *,
    heading: str,
    explanation: str,
    advice: str,
    reasons: Sequence[str] = (),
    action: tuple[str, str] | None = None,
    status: int,
):
    """A page that says what went wrong and what to do now, e.g. for a link that no longer works.

    ``action`` is (URL, label) of the one thing to do next; the page always offers the home page too.
    """
    context = {
        "heading": heading,
        "explanation": explanation,
        "advice": advice,
        "reasons": list(reasons),
        "action_url": action[0] if action else None,
        "action_label": action[1] if action else None,
    }
    return render(request, "portal/problem.html", context, status=status)
