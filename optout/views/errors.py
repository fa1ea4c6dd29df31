"""Error pages: JSON under /api/, HTML elsewhere."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from optout.api.errors import json_error


def error_page(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(request, status, code, message)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    message = (
        str(exception)
        if exception and str(exception)
        else _("Your role in this label does not allow this.")
    )
    return error_page(request, 403, "permission_denied", message)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 404, "not_found", _("There is nothing here."))


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(request, 500, "server_error", _("Something went wrong on our side."))
    # No template context processors here: they could be what failed.
    return HttpResponse(
        "<!doctype html><title>500</title><h1>Server error</h1>"
        "<p>Something went wrong on our side. It has been logged.</p>",
        status=500,
    )
