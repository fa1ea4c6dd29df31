from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class RejectNulQueryMiddleware:
    """A NUL character in a query parameter is a 400 before any view sees it.

    PostgreSQL cannot store or compare text containing NUL, so a filter value such as
    ``?status=%00`` would otherwise fail in the database as a server error. Refusing it
    here covers every list filter (FilterSets and views reading ``request.GET``) at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return _nul_refused(request, name.replace("\x00", "\\x00"))
        return self.get_response(request)


def _nul_refused(request: HttpRequest, name: str) -> HttpResponse:
    from django.utils.translation import gettext as _

    from optout.api.errors import error_body
    from optout.views.errors import error_page

    message = _("The query parameter “%(name)s” contains a NUL character.") % {"name": name}
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("invalid", message, {name: [message]}), status=400)
    return error_page(request, 400, "invalid", message)
