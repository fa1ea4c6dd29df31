"""The warm renderer notices use: same deny-all fetcher and limits, one helper reused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from optout.lib import pdf_server
from optout.lib.pdf import PdfRenderError
from optout.lib.pdf_server import render_pdf_warm, render_pdf_warm_stop
from tests.evidence.test_pdf_safety import _Counting


@pytest.fixture(autouse=True)
def _fresh_helper() -> Iterator[None]:
    render_pdf_warm_stop()
    yield
    render_pdf_warm_stop()


def test_documents_share_one_helper_and_nothing_is_fetched(server: str) -> None:
    url = f"{server}/x.png"
    first = render_pdf_warm(f"<p>One</p><img src='{url}'>")
    assert pdf_server._helper is not None and pdf_server._helper.process is not None
    pid = pdf_server._helper.process.pid
    second = render_pdf_warm("<p>Two</p><link rel=stylesheet href='file:///etc/passwd'>")
    assert pdf_server._helper.process.pid == pid
    assert first.pdf.startswith(b"%PDF") and second.pdf.startswith(b"%PDF")
    assert first.denied == [url] and second.denied == ["file:///etc/passwd"]
    assert _Counting.hits == []


def test_a_document_past_the_deadline_kills_the_helper_and_the_next_one_starts_fresh() -> None:
    render_pdf_warm("<p>warm</p>")
    assert pdf_server._helper is not None and pdf_server._helper.process is not None
    old = pdf_server._helper.process
    with pytest.raises(PdfRenderError, match="took longer than"):
        render_pdf_warm("<p>" + "slow " * 200_000 + "</p>", timeout=0.5)
    assert old.poll() is not None
    assert render_pdf_warm("<p>after</p>").pdf.startswith(b"%PDF")
