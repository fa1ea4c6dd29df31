"""Takedown PDFs read back with pdftotext: every element each route requires is printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notices.models import Takedown
from optout.services.blobs import blob_open
from tests.conftest import Team
from tests.notices.conftest import pdf_text
from tests.notices.takedown_world import INFRINGING, drafted, takedown_world

pytestmark = pytest.mark.django_db


def _text(takedown: Takedown, tmp_path: Path) -> str:
    assert takedown.pdf is not None
    with blob_open(takedown.pdf) as handle:
        text = pdf_text(handle.read(), tmp_path)
    return re.sub(r"\s+", " ", text)


def test_a_dmca_notice_states_every_element_of_512_c_3_a(team: Team, tmp_path: Path) -> None:
    world = takedown_world(team.label, actor=team.rights)
    text = _text(drafted(world, actor=team.rights), tmp_path)
    assert "17 U.S.C. §512(c)(3)" in text
    # (i) a physical or electronic signature of a person authorised to act for the owner
    assert "/s/ Rita Rights" in text and "Electronic signature" in text
    # (ii) identification of the copyrighted works
    assert "Identification of the copyrighted works" in text
    for recording in world.recordings:
        assert recording.isrc in text and recording.title in text
    # (iii) identification of the infringing material and information to locate it
    assert "Identification of the infringing material and information to locate it" in text
    assert INFRINGING in text.replace(" ", "")
    # (iv) contact information of the complaining party
    assert "Contact information of the complaining party" in text
    assert "Label A Records AB" in text and "Sveavägen 1" in text and "rights@label-a.test" in text
    # (v) good-faith statement
    assert (
        "I have a good faith belief that use of the material in the manner complained of is "
        "not authorized by the copyright owner, its agent, or the law." in text
    )
    # (vi) accuracy, and authority under penalty of perjury
    assert (
        "The information in this notification is accurate, and under penalty of perjury, I am "
        "authorized to act on behalf of the owner of an exclusive right that is allegedly "
        "infringed." in text
    )


def test_a_dsa_notice_states_the_article_16_elements(team: Team, tmp_path: Path) -> None:
    world = takedown_world(team.label)
    text = _text(
        drafted(world, route="dsa", explanation="Unlicensed copies of our masters."), tmp_path
    )
    assert "Article 16 of the Digital Services Act" in text
    assert "Explanation of the reasons why the content is illegal" in text
    assert "Unlicensed copies of our masters." in text
    assert "Exact electronic location" in text and INFRINGING in text.replace(" ", "")
    assert "Name and e-mail address of the notifier" in text
    assert "Label A Records AB" in text and "rights@label-a.test" in text
    assert (
        "I confirm my bona fide belief that the information and allegations contained in this "
        "notice are accurate and complete." in text
    )


def test_the_likeness_letter_names_the_performers_and_their_consent(
    team: Team, tmp_path: Path
) -> None:
    world = takedown_world(team.label)
    text = _text(drafted(world, route="likeness"), tmp_path)
    assert "voice or likeness" in text
    assert "Aurora Hall" in text and "None on file" in text
    assert "Bo Backing" in text and "Voice release 2024" in text


def test_the_ai_training_letter_cites_the_reservation_and_its_signals(
    team: Team, tmp_path: Path
) -> None:
    world = takedown_world(team.label)
    takedown = drafted(world, route="ai_reservation", urls=[])
    text = _text(takedown, tmp_path)
    reservation = takedown.facts["reservation"]
    assert "Reservation of rights against AI training" in text
    assert f"Policy version {reservation['version']}" in text
    assert reservation["approved_at"][:10] in text
    assert "robots.txt" in text and "TDMRep" in text
    assert "/s/label-a/robots.txt" in text.replace(" ", "")
    assert "policy.approved" in text  # the ledger entry that dates the publication
    assert world.recordings[0].isrc in text


def test_the_generic_letter_renders(team: Team, tmp_path: Path) -> None:
    world = takedown_world(team.label)
    text = _text(drafted(world, route="generic"), tmp_path)
    assert "Notice of unauthorised use" in text and "Night Song 1" in text
