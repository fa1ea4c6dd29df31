from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from catalog.models import Partner, PartnerContact, Recording, Release, ReleaseTrack
from optout.models import Label
from tests.conftest import Team

# ``server``: the loopback listener that counts every request a PDF renderer makes.
from tests.evidence.test_pdf_safety import server  # noqa: F401


@dataclass
class World:
    team: Team
    label: Label
    partner: Partner
    releases: list[Release]
    recordings: list[Recording]


def catalog_for(label: Label, *, partner_name: str = "Fjord Distribution AB") -> World:
    partner = Partner.objects.create(label=label, name=partner_name, kind="distributor")
    PartnerContact.objects.create(
        label=label, partner=partner, name="Legal", email="legal@fjord.example"
    )
    releases, recordings = [], []
    for n in range(2):
        release = Release.objects.create(
            label=label, upc=f"000000000{n}00{n}", title=f"Album {n}", display_artist="Aurora Hall"
        )
        releases.append(release)
        for t in range(1, 3):
            rec = Recording.objects.create(
                label=label,
                isrc=f"SEA1226{n}00{t:02d}",
                title=f"Song {n}-{t}",
                display_artist="Aurora Hall",
            )
            ReleaseTrack.objects.create(label=label, release=release, recording=rec, track_number=t)
            recordings.append(rec)
    partner.releases.set(releases)
    return World(team=None, label=label, partner=partner, releases=releases, recordings=recordings)  # type: ignore[arg-type]


@pytest.fixture
def world(team: Team) -> World:
    w = catalog_for(team.label)
    w.team = team
    return w


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    rows = []
    for line in out:
        parts = line.split()
        # name type... emb sub uni object ID: the three yes/no flags sit before the last two
        rows.append({"name": parts[0], "emb": parts[-5], "uni": parts[-3]})
    return rows


def rendered_notice(world: World, tmp_path: Path, *, language: str = "en") -> tuple[Any, str]:
    """A draft notice rendered to PDF, with the response token read off the PDF."""
    import re

    from notices.services.notices import notice_create, notice_render
    from optout.services.blobs import blob_open

    notice = notice_create(
        label=world.label, partner=world.partner, scope="catalog", language=language, actor=None
    )
    notice = notice_render(notice=notice, actor=None)
    assert notice.pdf is not None
    with blob_open(notice.pdf) as handle:
        text = pdf_text(handle.read(), tmp_path)
    match = re.search(r"/n/([A-Za-z0-9_-]{43})/", re.sub(r"\s+", "", text))
    assert match is not None
    return notice, match.group(1)


def sent_notice(world: World, tmp_path: Path, *, language: str = "en") -> tuple[Any, str]:
    """A notice rendered and sent (to the test mail outbox), with its response token."""
    from notices.services.notices import notice_send

    notice, token = rendered_notice(world, tmp_path, language=language)
    return notice_send(notice=notice, actor=None), token


def another_partner(world: World, name: str, *, email: str | None = "ops@harbour.example") -> World:
    """A second partner of the same label carrying the same releases (``email=None``: no
    contact)."""
    partner = Partner.objects.create(label=world.label, name=name, kind="distributor")
    if email:
        PartnerContact.objects.create(label=world.label, partner=partner, name="Ops", email=email)
    partner.releases.set(world.releases)
    return World(
        team=world.team,
        label=world.label,
        partner=partner,
        releases=world.releases,
        recordings=world.recordings,
    )
