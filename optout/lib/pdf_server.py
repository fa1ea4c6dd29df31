"""A warm PDF renderer: the same isolation as ``optout.lib.pdf.render_pdf``, without paying
for WeasyPrint's start-up (about two seconds) on every document.

``render_pdf`` starts a fresh interpreter per document, which imports WeasyPrint and loads
the fonts each time. Here each process that renders (a Celery worker child) keeps one
long-lived helper process, started like that child (``-I``, a bare environment, no Django,
no project code), which has imported WeasyPrint and rendered a small warm-up document.
The helper limits itself as ``render_pdf``'s child does (address space, file size, no
core) and gives each document its own CPU allowance; it renders with the same deny-all
fetcher. A document that fails, or hits a limit, ends the helper; one that does not finish
within the wall-clock deadline gets it killed. Either way the next document starts a
fresh helper, as does every ``MAX_DOCUMENTS``-th. Only our own templates are rendered
(every user string escaped), so documents share a process the way they share a worker.

Protocol: one JSON line per request on the helper's stdin (``html``, ``out``, ``assets``);
one JSON line back (``ok``, and ``denied``: the refused URLs, or ``error``). The PDF is
written to ``out``.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent

if __package__:
    from optout.lib.pdf import (
        ASSET_DIR,
        WALL_SECONDS,
        PdfRenderError,
        RendererCrashed,
        RenderResult,
        _failure,
        retry_crash_once,
    )

MAX_DOCUMENTS = 200
_WARM_UP = "<html><body><p>Optout ÅÄÖ é ß 日本語 한국어 中文 العربية</p></body></html>"


class _Helper:
    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        # Removed by the process that made it only: a forked child must not delete it.
        self.owner = os.getpid()
        self.scratch = tempfile.mkdtemp(prefix="pdf-warm-")
        self.lock = threading.Lock()
        atexit.register(self.close)

    def _start(self) -> subprocess.Popen[bytes]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.scratch,
            "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(Path(self.scratch) / "cache")),
            "LANG": "C.UTF-8",
        }
        process = subprocess.Popen(  # noqa: S603  (our interpreter running this file)
            [sys.executable, "-I", str(Path(__file__).resolve()), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        return process

    def stop(self) -> None:
        if os.getpid() != self.owner:
            return
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            process.wait(timeout=5)
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.close()

    def close(self) -> None:
        """Stop the helper and remove the scratch directory (at exit, by its maker only)."""
        self.stop()
        if os.getpid() == self.owner:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def render(self, html: str, *, timeout: float) -> RenderResult:
        with self.lock, tempfile.TemporaryDirectory(prefix="pdf-", dir=self.scratch) as d:
            out = Path(d) / "out.pdf"
            if self.process is None or self.process.poll() is not None:
                self.stop()
                self.process = self._start()
            process = self.process
            assert process.stdin is not None and process.stdout is not None
            request = {"html": html, "out": str(out), "assets": str(ASSET_DIR)}
            try:
                process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
                process.stdin.flush()
                line = _read_line(process.stdout, timeout=timeout)
            except TimeoutError:
                self.stop()
                raise PdfRenderError(
                    f"Rendering the PDF took longer than {int(timeout)} seconds."
                ) from None
            except OSError:  # the helper is gone: its exit status below says how
                line = b""
            if not line:  # killed by a limit (CPU, memory) or a crash while rendering
                try:
                    code = process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    code = 1
                self.stop()
                if code < 0 and signal.Signals(-code) is not signal.SIGXCPU:
                    raise RendererCrashed(_failure(code, b""), "")
                raise PdfRenderError(_failure(code, b""))
            report = json.loads(line)
            if not report.get("ok") or not out.exists():
                self.stop()
                raise PdfRenderError(_failure(1, str(report.get("error", "")).encode()))
            return RenderResult(pdf=out.read_bytes(), denied=list(report.get("denied", [])))


def _read_line(stream: IO[bytes], *, timeout: float) -> bytes:
    """One line from the helper, or TimeoutError once the deadline passes."""
    deadline = time.monotonic() + timeout
    fd = stream.fileno()
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise TimeoutError
            chunk = os.read(fd, 65536)
            if not chunk:
                return b""
            buffer += chunk
    return buffer.split(b"\n", 1)[0]


_helper: _Helper | None = None
_helper_lock = threading.Lock()


def _forget_after_fork() -> None:
    # A forked worker child must start its own helper: the pipes belong to the parent.
    global _helper
    _helper = None


os.register_at_fork(after_in_child=_forget_after_fork)


def render_pdf_warm(html: str, *, timeout: float | None = None) -> RenderResult:
    """Render ``html`` to PDF bytes in a forked child of this process's warm helper."""
    global _helper
    with _helper_lock:
        if _helper is None:
            _helper = _Helper()
        helper = _helper
    limit = timeout if timeout is not None else WALL_SECONDS
    # A crashed helper is stopped, so the second try starts a fresh one.
    return retry_crash_once(lambda: helper.render(html, timeout=limit))


def render_pdf_warm_stop() -> None:
    """Stop this process's helper (tests, benchmarks, shutdown)."""
    global _helper
    with _helper_lock:
        if _helper is not None:
            _helper.close()
        _helper = None


# --- the helper process -------------------------------------------------------------------


def _serve() -> int:  # pragma: no cover  (tested through render_pdf_warm)
    import logging
    import resource

    sys.path.append(str(HERE))  # last: nothing here may shadow the standard library
    import pdf as base  # type: ignore[import-not-found]  # optout/lib/pdf.py, stdlib only

    # As render_pdf's child limits itself, but with the CPU limit set per document below.
    for limit, value in (
        (resource.RLIMIT_AS, base.MEMORY_LIMIT),
        (resource.RLIMIT_FSIZE, base.MAX_PDF_BYTES),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    # Load fonts and caches once, before the first document.
    HTML(string=_WARM_UP, url_fetcher=base._make_fetcher(Path(base.ASSET_DIR))).write_pdf()
    for served, line in enumerate(sys.stdin.buffer, start=1):
        job = json.loads(line)
        # Each document gets its own CPU allowance on top of what the helper used so far.
        used = resource.getrusage(resource.RUSAGE_SELF)
        allowance = int(used.ru_utime + used.ru_stime) + base.CPU_SECONDS
        resource.setrlimit(resource.RLIMIT_CPU, (allowance, resource.RLIM_INFINITY))
        try:
            fetcher = base._make_fetcher(Path(job["assets"]))
            HTML(string=job["html"], base_url=None, url_fetcher=fetcher).write_pdf(job["out"])
        except BaseException as exc:  # reported, then the helper ends: the next one is fresh
            message = "MemoryError" if isinstance(exc, MemoryError) else repr(exc)[:300]
            sys.stdout.write(json.dumps({"ok": False, "error": message}) + "\n")
            sys.stdout.flush()
            return 1
        sys.stdout.write(json.dumps({"ok": True, "denied": fetcher.denied}) + "\n")
        sys.stdout.flush()
        if served >= MAX_DOCUMENTS:
            return 0  # a fresh helper now and then: no state grows without bound
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_serve())
