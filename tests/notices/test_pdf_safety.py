"""Hostile partner names and catalog text load nothing when the notice is rendered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.models import Recording
from notices.services.notices import notice_create, notice_render
from optout.services.blobs import blob_open
from tests.conftest import Team
from tests.evidence.test_pdf_safety import _Counting
from tests.notices.conftest import catalog_for, pdf_text

pytestmark = pytest.mark.django_db


def test_hostile_text_is_printed_not_loaded(team: Team, server: str, tmp_path: Path) -> None:
    name = (
        f'<img src="{server}/img"><style>@import "{server}/css";'
        f"body{{background:url({server}/bg)}}</style>"
        f'<link rel="attachment" href="file:///etc/passwd">Evil & Co'
    )
    world = catalog_for(team.label, partner_name=name)
    recording = world.recordings[0]
    Recording.objects.for_label(team.label).filter(pk=recording.pk).update(
        title=f'<object data="{server}/obj"></object>',
        display_artist=f"<svg><image href='{server}/svg'/></svg>",
    )
    notice = notice_create(
        label=team.label, partner=world.partner, scope="catalog", language="en", actor=None
    )
    notice = notice_render(notice=notice, actor=None)
    assert notice.pdf is not None
    with blob_open(notice.pdf) as handle:
        text = pdf_text(handle.read(), tmp_path)
    assert _Counting.hits == []
    # The markup is text on the page, as the user typed it.
    assert "<img src=" in text and "Evil & Co" in text
    squashed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", f'<object data="{server}/obj"></object>') in squashed
