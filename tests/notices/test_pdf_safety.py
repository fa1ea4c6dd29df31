"""Hostile partner names and catalog text load nothing when the notice is rendered."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from catalog.models import Recording
from notices.services.notices import notice_create, notice_render
from optout.services.blobs import blob_open
from tests.conftest import Team
from tests.notices.conftest import catalog_for, pdf_text

pytestmark = pytest.mark.django_db


class _Counting(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    _Counting.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_hostile_text_is_printed_not_loaded(team: Team, listener: str, tmp_path: Path) -> None:
    name = (
        f'<img src="{listener}/img"><style>@import "{listener}/css";'
        f"body{{background:url({listener}/bg)}}</style>"
        f'<link rel="attachment" href="file:///etc/passwd">Evil & Co'
    )
    world = catalog_for(team.label, partner_name=name)
    recording = world.recordings[0]
    Recording.objects.for_label(team.label).filter(pk=recording.pk).update(
        title=f'<object data="{listener}/obj"></object>',
        display_artist=f"<svg><image href='{listener}/svg'/></svg>",
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
    assert re.sub(r"\s+", "", f'<object data="{listener}/obj"></object>') in squashed
