from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware

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
