"""Takedown facts drawn from real captures of pages served on loopback: the infringing URLs
come from the matter's captures of infringing listings, and the AI-training letter dates the
label's own terms by the captures of its terms page. Read back from the PDF with pdftotext."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evidence.models import Capture, MatterItem
from evidence.services.matters import matter_item_add, matter_item_withdraw
from notices.models import Takedown
from optout.services.blobs import blob_open
from tests.conftest import Team
from tests.evidence.captures.conftest import Site, capture_now, html, site  # noqa: F401
from tests.notices.conftest import pdf_text
from tests.notices.takedown_world import TakedownWorld, drafted, takedown_world

pytestmark = pytest.mark.django_db


def _printed(moment: datetime) -> str:
    # As a letter prints a moment, whitespace removed like the text it is looked for in.
    return moment.astimezone(UTC).strftime("%Y-%m-%d%H:%M:%S")


def _squeezed(takedown: Takedown, tmp_path: Path) -> str:
    """The PDF's text with every space and line break removed: long URLs and timestamps
    wrap inside their table cells."""
    assert takedown.pdf is not None
    with blob_open(takedown.pdf) as handle:
        return re.sub(r"\s+", "", pdf_text(handle.read(), tmp_path))


def _captured(world: TakedownWorld, team: Team, url: str, purpose: str) -> Capture:
    capture = capture_now(world.label, team.rights, url, purpose=purpose)
    assert capture.status == Capture.Status.DONE, capture.error
    assert capture.captured_at is not None
    return capture


def _in_matter(world: TakedownWorld, team: Team, capture: Capture) -> MatterItem:
    return matter_item_add(
        matter=world.matter, actor=team.rights, source_key="capture", source_code=capture.code
    )


def test_a_dmca_notice_cites_the_urls_and_capture_times_of_the_matters_captures(
    team: Team,
    site: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    site.routes["/watch"] = html("<h1>Night Song 1 (full album upload)</h1>", title="Watch")
    site.routes["/mirror"] = html("<h1>Night Song 2</h1>", title="Mirror")
    site.routes["/terms"] = html("<p>No AI training on our recordings.</p>")
    world = takedown_world(team.label, actor=team.rights)
    listing = _captured(world, team, site.url("/watch?v=stolen-2"), "infringing_listing")
    other = _captured(world, team, site.url("/mirror"), "other")
    terms = _captured(world, team, site.url("/terms"), "own_terms")
    mistaken = _captured(world, team, site.url("/watch?v=not-ours"), "infringing_listing")
    for capture in (listing, other, terms):
        _in_matter(world, team, capture)
    wrong = _in_matter(world, team, mistaken)
    matter_item_withdraw(item=wrong, actor=team.rights, reason="Not one of our recordings")

    # No URL typed in: the captures of the infringing listings are enough for a DMCA notice.
    takedown = drafted(world, actor=team.rights, urls=[])

    assert takedown.facts["infringing_urls"] == [listing.url, other.url]
    assert [c["url"] for c in takedown.facts["captures"]] == [listing.url, other.url, terms.url]
    text = _squeezed(takedown, tmp_path)
    for capture in (listing, other):
        assert capture.url in text
        # The capture time is printed in UTC to the second beside its URL and hash, not
        # as the stored ISO text with its microseconds.
        assert capture.captured_at is not None and capture.bundle is not None
        assert _printed(capture.captured_at) in text
        assert capture.captured_at.isoformat() not in text
        assert capture.bundle.sha256[:17] in text
    # The label's own terms page is listed as captured, but never as infringing material.
    assert terms.url in text
    section = text.split("Identificationoftheinfringingmaterial", 1)[1]
    urls_listed = section.split("Thelabelcapturedthesepages", 1)[0]
    assert listing.url in urls_listed and terms.url not in urls_listed
    # A capture withdrawn from the matter is not cited.
    assert mistaken.url not in text


def test_the_ai_training_letter_dates_the_terms_by_their_captures(
    team: Team,
    site: Site,  # noqa: F811
    tmp_path: Path,
) -> None:
    site.routes["/terms"] = html("<h1>Terms</h1><p>No AI training on our recordings.</p>")
    site.routes["/tos"] = html("<h1>Terms of service</h1><p>Text and data mining reserved.</p>")
    site.routes["/partner"] = html("<p>A partner's AI policy.</p>", title="Partner policy")
    world = takedown_world(team.label, actor=team.rights)
    first = _captured(world, team, site.url("/terms"), "own_terms")
    second = _captured(world, team, site.url("/tos"), "own_terms")
    # Another kind of capture is not a capture of the label's own terms.
    partner = _captured(world, team, site.url("/partner"), "partner_terms")

    takedown = drafted(world, route="ai_reservation", actor=team.rights, urls=[])

    assert [c["url"] for c in takedown.facts["terms_captures"]] == [second.url, first.url]
    text = _squeezed(takedown, tmp_path)
    assert "Capturesofthepublishedterms" in text
    terms_section = text.split("Capturesofthepublishedterms", 1)[1].split(
        "Therecordingsconcerned", 1
    )[0]
    for capture in (first, second):
        assert capture.captured_at is not None
        assert capture.url in terms_section
        assert _printed(capture.captured_at) in terms_section
    assert partner.url not in text
    # The reservation's own dates are printed beside them.
    assert _printed(datetime.fromisoformat(takedown.facts["reservation"]["approved_at"])) in text
