"""Site-wide request and response rules: body size, caching of personal pages, browser features."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

# Pages under these paths show one family's or the office's data even before sign-in (a redirect
# to the login names the page), so no cache on the way may keep them.
PERSONAL_PATHS = (
    "/dokumente/",
    "/verwaltung/",
    "/postfach/",
    "/konto/",
    "/antraege/",
    "/kinder/",
    "/nachweise/",
    "/angebote/",
    "/admin/",
)


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body is larger than one upload and its form.

    It looks only at Content-Length, before anything (the CSRF check included) reads the body, so
    a 200 MiB post costs no memory or disk. A body without Content-Length is read as empty by
    Django's WSGI handler. The family is sent back to the page it came from with the reason.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(status=400)
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request):
        text = _("The file is too large. At most %(size)s are allowed.") % {
            "size": filesizeformat(settings.UPLOAD_MAX_BYTES)
        }
        referer = request.META.get("HTTP_REFERER", "")
        if url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            messages.error(request, text)
            return HttpResponseRedirect(referer)
        return HttpResponse(text, status=413, content_type="text/plain; charset=utf-8")


class PrivacyHeadersMiddleware:
    """``Permissions-Policy`` on every response; ``Cache-Control: no-store`` on every personal one.

    Personal means: anything answered to a signed-in user, and any page, PDF or export under the
    personal paths. Public pages (home, search, facility pages) stay cacheable for anonymous visitors.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path_info.startswith(PERSONAL_PATHS):
            add_never_cache_headers(response)
            # Shared caches must not keep it even if a proxy ignores no-store.
            patch_cache_control(response, private=True)
        return response
