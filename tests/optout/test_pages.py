"""Pages: the language switch, the dashboard, the navigation."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Team

pytestmark = pytest.mark.django_db


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


def test_the_navigation_marks_the_section_shown(team: Team) -> None:
    from optout.services.jobs import job_create

    job = job_create(label=team.label, kind="ledger.verify", actor=team.owner)
    client = team.client_for(team.owner)
    job_page = client.get(f"/l/{team.label.slug}/jobs/{job.code}/")
    current = [link.title for link in job_page.context["nav_links"] if link.active]
    assert [str(t) for t in current] == ["Jobs"]
    dashboard = client.get(f"/l/{team.label.slug}/")
    assert [str(link.title) for link in dashboard.context["nav_links"] if link.active] == [
        "Dashboard"
    ]
