"""The API's 202 shape: every 202 names, in an absolute ``Location``, what to poll.

``assert_pollable`` follows that header with the client that got the 202, so a test proves
both that the header is there and that it leads somewhere the client may read (not a 404, nor
a URL built for another label or another role).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.test import Client


def assert_pollable(client: Client, response: Any, *, same_id: str | None = None) -> Any:
    """Assert ``response`` is a 202 whose ``Location`` is an absolute http URL that ``client``
    can GET (200 or 202), and return that answer.

    ``same_id``: the polled answer is JSON naming the same object (its ``id``).
    """
    assert response.status_code == 202, getattr(response, "content", response)
    location = response.get("Location")
    assert location, f"202 without Location: {response.content!r}"
    parts = urlsplit(location)
    assert parts.scheme == "http" and parts.netloc and parts.path.startswith("/api/"), location
    polled = client.get(location)
    body = b"" if polled.streaming else polled.content
    if polled.streaming:
        # A finished file (a PDF, a ZIP): reading it is not the point, closing it is.
        polled.close()
    assert polled.status_code in (200, 202), (location, polled.status_code, body[:500])
    if same_id is not None:
        assert polled.json()["id"] == same_id, (location, polled.json())
    return polled
