"""Capture pages: the form, live status, the diff of a re-capture, and no inline HTML."""

from __future__ import annotations

from typing import Any

import pytest

from evidence.models import Capture
from tests.conftest import Team
from tests.evidence.captures.conftest import Site, capture_now, html, run_capture

pytestmark = pytest.mark.django_db

MARKER = "<b id='captured-marker'>PWNED</b><script>document.title='owned'</script>"


def _page(team: Team, capture: Capture, suffix: str = "") -> str:
    return f"/l/{team.label.slug}/evidence/captures/{capture.code}/{suffix}"


def test_it_captures_from_the_form_and_names_a_refused_address(team: Team, site: Site) -> None:
    client = team.client_for(team.rights)
    new = f"/l/{team.label.slug}/evidence/captures/new/"
    refused = client.post(new, {"url": "http://192.168.1.1/admin", "purpose": "other"})
    assert refused.status_code == 200
    assert "192.168.1.1 is a private address." in refused.content.decode()
    assert not Capture.objects.for_label(team.label).exists()

    made = client.post(
        new, {"url": site.url("/terms"), "purpose": "own_terms", "recapture_every": "168"}
    )
    capture = Capture.objects.for_label(team.label).get()
    assert made.status_code == 302 and made["Location"] == _page(team, capture)
    assert capture.trigger == "user" and capture.requested_by == team.rights

    # While it runs, the page polls a small status fragment.
    status = client.get(_page(team, capture), HTTP_HX_REQUEST="true")
    assert status.status_code == 200
    assert "hx-get" in status.content.decode()

    denied = team.client_for(team.viewer).post(new, {"url": site.url("/terms"), "purpose": "other"})
    assert denied.status_code == 403


def test_it_shows_what_changed_since_the_previous_capture(
    team: Team, site: Site, settings: Any
) -> None:
    settings.OPTOUT_CAPTURE_RENDER = False
    site.routes["/terms"] = html(
        "<h1>Terms</h1><p>Clause 1: no scraping.</p><p>Clause 2: no AI training.</p>"
    )
    first = capture_now(team.label, team.rights, site.url("/terms"))
    assert first.changed is None and first.previous is None

    site.routes["/terms"] = html(
        "<h1>Terms</h1><p>Clause 1: no scraping.</p><p>Clause 2: AI training allowed.</p>"
        "<p>Clause 3: partners may sublicense.</p>"
    )
    client = team.client_for(team.rights)
    response = client.post(_page(team, first, "recapture/"))
    second = Capture.objects.for_label(team.label).exclude(pk=first.pk).get()
    assert response["Location"] == _page(team, second)
    assert second.trigger == "recapture"
    second = run_capture(second)

    assert second.previous == first
    assert second.changed is True
    assert (second.lines_added, second.lines_removed) == (2, 1)
    page = client.get(_page(team, second)).content.decode()
    assert "<del>-Clause 2: no AI training.</del>" in page
    assert "<ins>+Clause 2: AI training allowed.</ins>" in page
    assert "<ins>+Clause 3: partners may sublicense.</ins>" in page

    # Nothing changed: the page says so.
    third = capture_now(team.label, team.rights, site.url("/terms"))
    assert third.previous == second and third.changed is False
    assert "The readable text is the same" in client.get(_page(team, third)).content.decode()
    # A finished capture: the status fragment tells htmx to stop and reload the page.
    done = client.get(_page(team, third), HTTP_HX_REQUEST="true")
    assert done.status_code == 286 and done["HX-Refresh"] == "true"


def test_it_never_serves_captured_content_inline_as_html(team: Team, site: Site) -> None:
    site.routes["/listing"] = html(f"<h1>Listing</h1>{MARKER}", title="Listing")
    capture = capture_now(team.label, team.rights, site.url("/listing"))
    assert capture.rendered, capture.render_note
    client = team.client_for(team.viewer)

    responses = []
    for output in ("warc", "screenshot", "pdf", "provenance", "bundle"):
        responses.append(client.get(_page(team, capture, f"files/{output}/")))
        responses.append(
            client.get(f"/api/v1/labels/{team.label.slug}/captures/{capture.code}/files/{output}/")
        )
    for response in responses:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert not response["Content-Type"].startswith("text/html")
        assert "sandbox" in response["Content-Security-Policy"]

    image = client.get(_page(team, capture, "screenshot.png"))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["Content-Security-Policy"].startswith("sandbox")
    assert image["X-Content-Type-Options"] == "nosniff"
    assert image.getvalue().startswith(b"\x89PNG")

    for page in (_page(team, capture), f"/l/{team.label.slug}/evidence/captures/"):
        body = client.get(page).content.decode()
        assert "captured-marker" not in body
        assert "document.title='owned'" not in body
    assert client.get(_page(team, capture, "files/text/")).status_code == 404


def test_it_adds_a_capture_to_a_matter_and_makes_an_evidence_item_from_the_page(
    team: Team, site: Site, settings: Any
) -> None:
    from evidence.models import EvidenceItem, MatterItem
    from tests.evidence.conftest import make_matter

    settings.OPTOUT_CAPTURE_RENDER = False
    site.routes["/t"] = html("<p>t</p>")
    capture = capture_now(team.label, team.rights, site.url("/t"))
    matter = make_matter(team.label, team.rights)
    client = team.client_for(team.rights)
    page = client.get(_page(team, capture)).content.decode()
    add = f"/l/{team.label.slug}/evidence/add/capture/{capture.code}/"
    assert f'href="{add}"' in page
    client.post(add, {"matter": str(matter.code)})
    assert (
        MatterItem.objects.for_label(team.label)
        .filter(matter=matter, source_key="capture", source_code=capture.code)
        .exists()
    )
    client.post(_page(team, capture, "evidence-item/"), {"kind": "other", "title": ""})
    item = EvidenceItem.objects.for_label(team.label).get()
    assert item.blob_id == capture.bundle_id and item.source_url == site.url("/t")


def test_a_capture_of_an_error_page_says_so_with_its_status(
    team: Team, site: Site, settings: Any
) -> None:
    settings.OPTOUT_CAPTURE_RENDER = False
    capture = capture_now(team.label, team.rights, site.url("/no-such-page"))
    assert capture.status == "done" and capture.http_status == 404
    client = team.client_for(team.viewer)
    text = client.get(_page(team, capture)).content.decode()
    assert "Captured: HTTP 404" in text
    assert "The server answered 404 Not Found" in text
    assert 'badge badge-done">Captured<' not in text
    listing = client.get(f"/l/{team.label.slug}/evidence/captures/").content.decode()
    assert "Captured: HTTP 404" in listing

    site.routes["/terms"] = html("<h1>Terms</h1>")
    fine = capture_now(team.label, team.rights, site.url("/terms"))
    text = client.get(_page(team, fine)).content.decode()
    assert 'badge badge-done">Captured<' in text and "The server answered" not in text


def test_a_captured_page_in_a_matter_has_its_date_and_a_title_in_the_readers_language(
    team: Team, site: Site, settings: Any
) -> None:
    from django.utils import translation

    from evidence.services.matters import matter_create, matter_item_add

    settings.OPTOUT_CAPTURE_RENDER = False
    site.routes["/terms"] = html("<h1>Terms</h1>")
    capture = capture_now(team.label, team.rights, site.url("/terms"))
    matter = matter_create(label=team.label, actor=team.rights, title="Scraper")
    with translation.override("sv"):  # added from a Swedish page: the facts are stored
        item = matter_item_add(
            matter=matter, actor=team.rights, source_key="capture", source_code=capture.code
        )
    assert item.title.startswith("Capture of ")  # the English text packets print
    assert item.title_message["msgid"] == "Capture of %(url)s, %(when)s"
    client = team.client_for(team.viewer)
    path = f"/l/{team.label.slug}/evidence/matters/{matter.code}/"
    english = client.get(path).context
    row = english["items"][0]
    assert row.date_shown == capture.captured_at  # the Date column is no longer empty
    client.cookies["django_language"] = "sv"
    text = client.get(path, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert f"Arkivering av {site.url('/terms')}" in text and "Capture of" not in text
    assert capture.captured_at is not None
    with translation.override("sv"):
        from django.utils.formats import date_format

        assert date_format(capture.captured_at, "DATE_FORMAT") in text
