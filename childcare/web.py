from django.utils.http import url_has_allowed_host_and_scheme


def back_url(request, default: str) -> str:
    """Where to return after an action: the page it came from (with its filters), if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
