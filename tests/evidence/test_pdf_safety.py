"""The PDF renderer loads nothing from outside (reliability.md §b.2 PDF-1, V5)."""

from __future__ import annotations

import contextlib
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from optout.lib.pdf import PdfRenderError, RenderResult, render_pdf
from optout.lib.pdf_server import render_pdf_warm, render_pdf_warm_stop

SECRET = "TOP-SECRET-7f3a9c"


class _Counting(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Counting.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _pdf_text_streams(pdf: bytes) -> bytes:
    """The PDF with its deflated streams inflated, so embedded text can be searched."""
    out = [pdf]
    start = 0
    while (start := pdf.find(b"stream", start)) != -1:
        body = pdf[start + 6 :].lstrip(b"\r\n")
        end = body.find(b"endstream")
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(body[:end]))
        start += 6
    return b"\n".join(out)


def test_hostile_html_makes_no_request_and_embeds_no_local_file(
    server: str, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    vectors = {
        "img": f"{server}/img.png",
        "stylesheet": f"{server}/style.css",
        "import": f"{server}/import.css",
        "css-url": f"{server}/list.png",
        "font-face": f"{server}/font.ttf",
        "object": f"{server}/object.svg",
        "embed": f"{server}/embed.svg",
        "link-attachment": secret.as_uri(),
        "svg-image": f"{server}/svg-image.png",
        "svg-use": f"{server}/sprite.svg#icon",
        "background": f"{server}/background.png",
        "urandom": "file:///dev/urandom",
        "redirect": f"{server}/redirect",
        "anchor-attachment": f"{secret.as_uri()}?anchor",
        "http-attachment": f"{server}/attachment.bin",
    }
    v = vectors
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="{v["stylesheet"]}">
      <link rel="attachment" href="{v["link-attachment"]}" title="secret">
      <link rel="attachment" href="{v["http-attachment"]}">
      <style>
        @import url("{v["import"]}");
        @font-face {{ font-family: Evil; src: url("{v["font-face"]}"); }}
        body {{ font-family: Evil, sans-serif; background-image: url("{v["background"]}"); }}
        li {{ list-style-image: url("{v["css-url"]}"); }}
      </style></head><body>
      <h1>Index</h1>
      <img src="{v["img"]}"><img src="{v["urandom"]}"><img src="{v["redirect"]}">
      <object data="{v["object"]}" type="image/svg+xml"></object>
      <embed src="{v["embed"]}" type="image/svg+xml">
      <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
           width="20" height="20">
        <image href="{v["svg-image"]}" width="10" height="10"/>
        <use xlink:href="{v["svg-use"]}"/>
      </svg>
      <ul><li>one</li></ul>
      <a rel="attachment" href="{v["anchor-attachment"]}">the file</a>
    </body></html>"""

    result = render_pdf(html)

    assert result.pdf.startswith(b"%PDF")
    assert _Counting.hits == []
    asked = {url.split("#")[0] for url in result.denied}
    # WeasyPrint 70 resolves <use> only within the same document and never asks for it.
    missed = [
        name
        for name, url in vectors.items()
        if url.split("#")[0] not in asked and name != "svg-use"
    ]
    assert missed == [], f"the fetcher was not asked for {missed}"
    inflated = _pdf_text_streams(result.pdf)
    assert b"/EmbeddedFile" not in inflated
    assert SECRET.encode() not in inflated


def test_data_uris_load_and_asset_paths_cannot_escape(tmp_path: Path) -> None:
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
        "nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
    )
    result = render_pdf(
        f'<img src="{pixel}"><img src="asset:../../../etc/passwd">'
        '<img src="asset:README.md"><p>ok</p>'
    )
    assert pixel not in result.denied
    assert "asset:../../../etc/passwd" in result.denied
    assert "asset:README.md" in result.denied


def test_a_render_that_runs_too_long_is_stopped() -> None:
    rows = "".join(f"<tr><td>{i}</td><td>{'word ' * 40}</td></tr>" for i in range(20000))
    with pytest.raises(PdfRenderError, match="longer than"):
        render_pdf(f"<table>{rows}</table>", timeout=1)


def _crashing_interpreter(tmp_path: Path, *, crashes: int) -> Path:
    """A stand-in for the renderer's interpreter that dies by SIGSEGV ``crashes`` times."""
    count = tmp_path / "crashes"
    count.write_text("0")
    script = tmp_path / "python"
    script.write_text(
        "#!/bin/sh\n"
        f'n=$(cat "{count}")\n'
        f'if [ "$n" -lt {crashes} ]; then echo $((n + 1)) > "{count}"; kill -SEGV $$; fi\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    script.chmod(0o755)
    return script


@pytest.fixture(params=["cold", "warm"])
def renderer(request: pytest.FixtureRequest) -> Iterator[Callable[[str], RenderResult]]:
    """Both renderers: a child per document, and the warm helper (replaced after a crash)."""
    if request.param == "cold":
        yield render_pdf
        return
    render_pdf_warm_stop()
    yield render_pdf_warm
    render_pdf_warm_stop()


def test_a_renderer_that_crashes_once_is_tried_again(
    renderer: Callable[[str], RenderResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(sys, "executable", str(_crashing_interpreter(tmp_path, crashes=1)))
    result = renderer("<p>Second time lucky</p>")
    assert result.pdf.startswith(b"%PDF-")
    assert "crashed (The PDF renderer was stopped (SIGSEGV)" in caplog.text
    assert (tmp_path / "crashes").read_text().strip() == "1"


def test_a_renderer_that_crashes_twice_fails_with_the_reason(
    renderer: Callable[[str], RenderResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(_crashing_interpreter(tmp_path, crashes=5)))
    with pytest.raises(PdfRenderError, match=r"stopped \(SIGSEGV\)"):
        renderer("<p>Never</p>")
    # Tried twice, not more: a document that really exhausts the limits fails in bounded time.
    assert (tmp_path / "crashes").read_text().strip() == "2"
