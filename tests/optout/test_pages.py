"""Every HTML page: security headers, language switch, accessible basics."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Team
from tests.matrix import Objects, all_routes, builders
from tests.matrix import World as MatrixWorld

pytestmark = pytest.mark.django_db

HTML_ROUTES = [
    r
    for r in all_routes()
    if not r.is_api and r.read is not None and r.name not in {"api-schema", "healthz"}
]


@pytest.fixture
def objects(team: Team) -> Objects:
    world = MatrixWorld(
        a=Objects(label=team.label, owner=team.owner),
        b=Objects(label=team.other_label, owner=team.outsider),
        roles=dict(team.members),
        outsider=team.outsider,
    )
    for build in builders():
        build(world, "a")
    return world.a


@pytest.mark.parametrize("route", HTML_ROUTES, ids=lambda r: r.name)
def test_every_page_sends_the_security_headers(team: Team, objects: Objects, route) -> None:
    kwargs = route.kwargs(objects)
    if route.kind == "label":
        kwargs["slug"] = team.label.slug
    client = team.client_for(team.owner)
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


def test_the_interface_speaks_swedish_after_switching(team: Team) -> None:
    client = team.client_for(team.owner)
    response = client.post("/i18n/setlang/", {"language": "sv", "next": f"/l/{team.label.slug}/"})
    assert response.status_code == 302
    page = client.get(f"/l/{team.label.slug}/members/")
    html = page.content.decode()
    assert '<html lang="sv">' in html
    assert "Medlemmar" in html and "Bjud in" in html
    assert "Optout är ett arbetsverktyg" in html  # the not-legal-advice footer
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Members" in client.get(f"/l/{team.label.slug}/members/").content.decode()


def test_the_dashboard_shows_the_panels_of_every_app(team: Team) -> None:
    page = Client()
    page.force_login(team.viewer)
    html = page.get(f"/l/{team.label.slug}/").content.decode()
    assert "Recent jobs" in html and "Ledger entries" in html
    assert f'href="/l/{team.label.slug}/members/"' in html


def test_the_navigation_marks_the_section_shown(team: Team, objects: Objects) -> None:
    client = team.client_for(team.owner)
    job_page = client.get(f"/l/{team.label.slug}/jobs/{objects.job.code}/")
    current = [link.title for link in job_page.context["nav_links"] if link.active]
    assert [str(t) for t in current] == ["Jobs"]
    dashboard = client.get(f"/l/{team.label.slug}/")
    assert [str(link.title) for link in dashboard.context["nav_links"] if link.active] == [
        "Dashboard"
    ]
