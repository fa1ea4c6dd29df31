from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

from optout.services.blobs import BlobIntegrityError
from optout.views.errors import database_unavailable, error_page, is_database_unavailable

logger = logging.getLogger(__name__)

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


def language_independent(response: HttpResponseBase) -> HttpResponseBase:
    """Mark a response that is the same in every language (robots.txt, JSON, XML).

    Django's LocaleMiddleware would send it with ``Content-Language`` (the interface
    language the request asked for) and ``Vary: Accept-Language``: it would claim to be a
    Swedish or English variant and split shared caches by language for nothing.
    """
    response.language_independent = True  # type: ignore[attr-defined]
    return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, except that responses marked ``language_independent`` keep no language."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(response, "language_independent", False):
            return response
        return super().process_response(request, response)


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


class DatabaseUnavailableMiddleware:
    """A request that finds the database gone (restarting, unreachable) answers 503 with
    ``Retry-After`` in the page's or the API's error shape, instead of a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        logger.warning(
            "Database unavailable during %s %s: %s", request.method, request.path, exception
        )
        return database_unavailable(request)


class BlobIntegrityMiddleware:
    """A download whose stored bytes fail their hash: a clear 409 page (JSON under /api/)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BlobIntegrityError):
            return None

        return error_page(request, 409, "integrity_failed", str(exception))
