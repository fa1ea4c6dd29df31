"""Every HTML page (and file download) sends the security headers; pages carry a language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.matrix import Objects, all_routes
from tests.matrix._world import SharedWorld

pytestmark = pytest.mark.django_db

HTML_ROUTES = [
    r
    for r in all_routes()
    if not r.is_api and r.read is not None and r.name not in {"api-schema", "healthz"}
]


@pytest.fixture
def objects(shared_world: SharedWorld, db: Any) -> Objects:
    return shared_world.world.a


@pytest.fixture(autouse=True)
def _media_root(shared_world: SharedWorld) -> Path:
    return shared_world.media


@pytest.mark.parametrize("route", HTML_ROUTES, ids=lambda r: r.name)
def test_every_page_sends_the_security_headers(objects: Objects, route) -> None:
    kwargs = route.kwargs(objects)
    if route.kind == "label":
        kwargs["slug"] = objects.label.slug
    client = Client()
    client.force_login(objects.owner)
    response = client.get(reverse(route.name, kwargs=kwargs) + route.query)
    csp = response["Content-Security-Policy"]
    disposition = response.get("Content-Disposition", "")
    # A download, or our own image shown inline (a capture's screenshot).
    stored_file = disposition.startswith("attachment") or (
        disposition.startswith("inline") and response["Content-Type"].startswith("image/")
    )
    if stored_file:
        # A stored file (a download, a screenshot): sandboxed, whatever it holds.
        assert csp.startswith("sandbox") and "default-src 'none'" in csp
    else:
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    is_html = response.get("Content-Type", "").startswith("text/html")
    if response.status_code == 200 and route.name != "api-docs" and is_html:
        html = response.content.decode()
        # Public terms pages speak the language of their terms, not the interface's.
        lang = r"[a-z]{2}(-[A-Z]{2})?" if route.kind == "public" else "(en|sv)"
        assert re.search(rf'<html lang="{lang}">', html)
        assert "<script>" not in html, "inline scripts would be blocked by the CSP"
