"""PDFs from our own HTML with WeasyPrint, rendered so that they can load nothing.

WeasyPrint's default URL fetcher follows ``<img>``, stylesheets, ``@import``, fonts and
redirects to any host, and ``<link rel="attachment" href="file:///…">`` embeds a local file
in the PDF (reliability.md V5). Every render here therefore:

* uses ``DenyAllFetcher``: only ``data:`` URIs and ``asset:NAME`` (a file bundled in
  ``optout/lib/pdf_assets/``) load; every other URL (http, https, file, ftp, relative…) is
  refused and reported back to the caller;
* runs in a child process (this file run as a script: no Django, no project code) with
  an address-space limit, a CPU-time limit, an output-size limit and a wall-clock
  deadline, so a pathological document kills the child, not the worker.

Templates escape every user string; nothing user-supplied is marked safe.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

logger = logging.getLogger(__name__)
ASSET_DIR = Path(__file__).resolve().parent / "pdf_assets"
MEMORY_LIMIT = 1024 * 1024 * 1024
CPU_SECONDS = 60
WALL_SECONDS = 90
MAX_PDF_BYTES = 512 * 1024 * 1024
MAX_DATA_URI_BYTES = 20 * 1024 * 1024
_ASSET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(css|svg|png|ttf|otf|woff2?)$")
_ASSET_TYPES = {
    "css": "text/css",
    "svg": "image/svg+xml",
    "png": "image/png",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "woff": "font/woff",
    "woff2": "font/woff2",
}


class PdfRenderError(RuntimeError):
    """The document could not be rendered within the limits; the message says why."""


@dataclass(frozen=True)
class RenderResult:
    pdf: bytes
    denied: list[str] = field(default_factory=list)
    """Every URL the document asked for and did not get."""


def _limit_self() -> None:  # pragma: no cover  (runs in the child, before WeasyPrint loads)
    # The child limits itself: a preexec_fn would be unsafe in a worker that runs threads.
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_PDF_BYTES, MAX_PDF_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def render_pdf(html: str, *, timeout: float = WALL_SECONDS) -> RenderResult:
    """Render ``html`` to PDF bytes in a limited child process (tried twice on a crash)."""
    return retry_crash_once(lambda: _render_once(html, timeout=timeout))


def retry_crash_once(render: Callable[[], RenderResult]) -> RenderResult:
    """``render()``, once more if its renderer died by a signal other than its CPU limit.

    A rare crash in the C libraries below WeasyPrint (seen once, in a CI run, on a letter
    that renders every other time) should not fail a job; a document that really exhausts
    the limits fails twice, so the cost stays bounded. Both renderers (cold and warm) use it.
    """
    try:
        return render()
    except RendererCrashed as crash:
        logger.warning("The PDF renderer crashed (%s); trying once more. %s", crash, crash.trace)
    try:
        return render()
    except RendererCrashed as crash:
        logger.warning("The PDF renderer crashed again (%s). %s", crash, crash.trace)
        raise PdfRenderError(str(crash)) from None


class RendererCrashed(PdfRenderError):
    """The renderer died by a signal other than its CPU limit: worth one more try."""

    def __init__(self, message: str, trace: str) -> None:
        super().__init__(message)
        self.trace = trace


def _render_once(html: str, *, timeout: float) -> RenderResult:
    with tempfile.TemporaryDirectory(prefix="pdf-") as scratch:
        out = Path(scratch) / "out.pdf"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": scratch,
            "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(Path(scratch) / "cache")),
            "LANG": "C.UTF-8",
        }
        try:
            completed = subprocess.run(  # noqa: S603  (our interpreter running this file)
                # faulthandler: a crash leaves its Python stack on stderr, for the log.
                [
                    sys.executable,
                    "-I",
                    "-X",
                    "faulthandler",
                    str(Path(__file__).resolve()),
                    str(out),
                ],
                input=json.dumps({"html": html, "assets": str(ASSET_DIR)}).encode("utf-8"),
                capture_output=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PdfRenderError(
                f"Rendering the PDF took longer than {int(timeout)} seconds."
            ) from None
        code = completed.returncode
        if code < 0 and signal.Signals(-code) is not signal.SIGXCPU:
            trace = completed.stderr.decode("utf-8", "replace")[-2000:]
            raise RendererCrashed(_failure(code, completed.stderr), trace)
        if code != 0 or not out.exists():
            raise PdfRenderError(_failure(code, completed.stderr))
        try:
            report = json.loads(completed.stdout.decode("utf-8") or "{}")
        except ValueError:
            report = {}
        return RenderResult(pdf=out.read_bytes(), denied=list(report.get("denied", [])))


def _failure(code: int, stderr: bytes) -> str:
    if code < 0:
        name = signal.Signals(-code).name
        if name == "SIGXCPU":
            return f"Rendering the PDF used more than {CPU_SECONDS} seconds of CPU."
        return f"The PDF renderer was stopped ({name}), probably by its memory limit."
    last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
    if "MemoryError" in last[0]:
        return "Rendering the PDF needed more memory than allowed."
    return f"The PDF renderer failed: {last[0][:300]}"


# --- the child process --------------------------------------------------------------------


def _data_uri(url: str) -> tuple[bytes, str]:
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise ValueError("malformed data: URI")
    params = header.split(";")
    mime = params[0] or "text/plain"
    if len(payload) > MAX_DATA_URI_BYTES * 2:
        raise ValueError("data: URI too large")
    raw = unquote_to_bytes(payload)
    body = base64.b64decode(raw, validate=False) if "base64" in params[1:] else raw
    return body, mime


def _make_fetcher(asset_dir: Path) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class DenyAllFetcher(URLFetcher):
        """Loads ``data:`` URIs and bundled ``asset:`` files; refuses everything else."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=set(), allow_redirects=False)
            self.denied: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                body, mime = _data_uri(url)
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            if url.startswith("asset:"):
                name = url[len("asset:") :].lstrip("/")
                match = _ASSET_NAME.match(name)
                path = asset_dir / name
                if match and path.is_file() and path.resolve().parent == asset_dir.resolve():
                    return URLFetcherResponse(
                        url, path.read_bytes(), {"Content-Type": _ASSET_TYPES[match.group(1)]}
                    )
            self.denied.append(url[:500])
            raise ValueError(f"Loading {url[:100]!r} is not allowed in our PDFs.")

        def open(self, url: Any, data: Any = None, timeout: Any = None) -> Any:
            return self.fetch(getattr(url, "full_url", url))

    return DenyAllFetcher()


def _child(out: str) -> int:  # pragma: no cover  (tested through render_pdf)
    import logging

    _limit_self()
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    fetcher = _make_fetcher(Path(job["assets"]))
    HTML(string=job["html"], base_url=None, url_fetcher=fetcher).write_pdf(out)
    sys.stdout.write(json.dumps({"denied": fetcher.denied}))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_child(sys.argv[1]))
