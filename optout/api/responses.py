"""Answers the whole API gives in one shape.

The API's rule is one shape for the same kind of answer. A 202 says "the work goes on in a
job": the client has to poll, so it must be told where, always the same way. ``Location`` is
absolute so that a client can follow it without knowing where the API is mounted or which
host answered (behind a proxy the host is the one the client asked for).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response


def accepted(data: Any, *, request: Request | HttpRequest, location: str) -> Response:
    """202 Accepted with ``data`` and an absolute ``Location``.

    ``location`` is the path (from ``reverse``) of what the client should GET to see how
    the work goes: the object that was started (its detail answers its job's progress), or
    the job itself when there is no object. Every 202 of the API goes through here so that
    none forgets the header and all build it alike.
    """
    return Response(
        data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": request.build_absolute_uri(location)},
    )
