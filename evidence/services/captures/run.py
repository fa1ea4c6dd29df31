"""Running a capture (the ``evidence.capture`` job): fetch the page, render it, store it.

Each step is a function of its own: ``_fetch_page`` (the safe fetcher, every hop recorded;
a refusal fails the capture with what arrived so far), ``_render`` (headless Chromium whose
every request is answered by ``_BrowserFetcher``) and ``capture_store`` (``store.py``).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from evidence.capture.render import (
    BrowserRequest,
    Refused,
    Rendering,
    RenderUnavailable,
    Served,
    render_page,
)
from evidence.models import Capture
from evidence.services.captures.store import (
    HTML_TYPES,
    capture_fail,
    capture_partial_warc_store,
    capture_store,
)
from optout.jobs import JobContext, JobFailure
from optout.lib.fetch import FetchError, FetchResult, fetch
from optout.lib.fetch.results import Hop
from optout.lib.tempfiles import temp_dir

logger = logging.getLogger(__name__)

_RENDERABLE = HTML_TYPES | {"text/plain", ""}
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass
class _BrowserFetcher:
    """Answers the browser: from the recorded page first, then through the safe fetcher.

    Redirects are followed here, never by the browser: Chromium follows a redirect it was
    handed by interception on its own network stack, outside our routing. Each request is
    answered with its final response; the hops on the way go into the WARC.
    """

    page: FetchResult
    budget_bytes: int
    max_bytes: int
    deadline_seconds: float
    results: list[FetchResult] = field(default_factory=list)
    used: int = 0

    def __post_init__(self) -> None:
        self.recorded: dict[str, Hop] = {hop.url: self.page.final for hop in self.page.hops}

    def __call__(self, request: BrowserRequest) -> Served:
        if request.method not in ("GET", "HEAD"):
            raise Refused("method_not_allowed")
        hop = self.recorded.get(request.url)
        if hop is None:
            remaining = self.budget_bytes - self.used
            if remaining <= 0:
                raise Refused("too_large")
            try:
                result = fetch(
                    request.url,
                    method="HEAD" if request.method == "HEAD" else "GET",
                    headers={"Accept": request.headers.get("accept", "*/*")[:500]},
                    max_bytes=min(self.max_bytes, remaining),
                    deadline_seconds=self.deadline_seconds,
                )
            except FetchError as exc:
                for early in exc.hops:
                    early.close()
                raise Refused(exc.code, exc.message) from None
            self.results.append(result)
            hop = result.final
            self.used += sum(h.wire_bytes for h in result.hops)
        headers = [(k, v) for k, v in hop.headers if k.lower() != "location"]
        return Served(status=hop.status, headers=headers, body=hop.body.read())

    def close(self) -> None:
        for result in self.results:
            result.close()


def _render(
    capture: Capture, page: FetchResult, workdir: Path
) -> tuple[Rendering | None, str, _BrowserFetcher]:
    serve = _BrowserFetcher(
        page=page,
        budget_bytes=settings.OPTOUT_CAPTURE_RESOURCE_BUDGET_BYTES,
        max_bytes=settings.OPTOUT_CAPTURE_RESOURCE_MAX_BYTES,
        deadline_seconds=float(settings.OPTOUT_CAPTURE_RESOURCE_DEADLINE_SECONDS),
    )
    final = page.final
    if final.content_type not in _RENDERABLE and not final.content_type.startswith("image/"):
        note = _("Not rendered: the page is not a web page (%(type)s).") % {
            "type": final.content_type
        }
        return None, note, serve
    if not settings.OPTOUT_CAPTURE_RENDER:
        return None, _("Not rendered: rendering is switched off on this server."), serve
    try:
        rendering = render_page(
            url=page.final_url,
            serve=serve,
            workdir=workdir,
            executable=settings.OPTOUT_CAPTURE_CHROMIUM,
            timeout_s=int(settings.OPTOUT_CAPTURE_RENDER_TIMEOUT_SECONDS),
            max_requests=int(settings.OPTOUT_CAPTURE_MAX_REQUESTS),
        )
    except RenderUnavailable as exc:
        logger.warning("Capture %s not rendered: %s", capture.code, exc)
        return None, _("Not rendered: %(reason)s") % {"reason": str(exc)}, serve
    return rendering, "", serve


def _fetch_page(capture: Capture, workdir: Path) -> FetchResult:
    """The page through the safe fetcher; a refusal fails the capture (``JobFailure``)."""
    try:
        return fetch(
            capture.url,
            headers={"Accept": _ACCEPT},
            max_bytes=settings.OPTOUT_CAPTURE_MAX_BYTES,
            deadline_seconds=float(settings.OPTOUT_CAPTURE_DEADLINE_SECONDS),
        )
    except FetchError as exc:
        warc = None
        if exc.hops:
            warc = capture_partial_warc_store(capture=capture, exchanges=exc.hops, workdir=workdir)
            for hop in exc.hops:
                hop.close()
        capture_fail(capture=capture, code=exc.code, message=exc.message, warc=warc)
        raise JobFailure(exc.message) from None


def _run(ctx: JobContext, capture: Capture, workdir: Path) -> dict[str, Any]:
    ctx.progress(5, "Fetching the page")
    page = _fetch_page(capture, workdir)
    serve: _BrowserFetcher | None = None
    try:
        ctx.progress(20, "Rendering the page in Chromium")
        rendering, render_note, serve = _render(capture, page, workdir)
        return capture_store(
            capture=capture,
            page=page,
            rendering=rendering,
            render_note=render_note,
            resources=serve.results,
            workdir=workdir,
            progress=ctx.progress,
        )
    finally:
        if serve is not None:
            serve.close()
        page.close()


def capture_run(*, ctx: JobContext) -> dict[str, Any]:
    """The body of the capture job: the capture named in its params, run once."""
    label = ctx.job.label
    capture = (
        Capture.objects.for_label(label)
        .select_related("label", "requested_by")
        .filter(code=ctx.params.get("capture"))
        .first()
    )
    if capture is None:
        raise JobFailure("The capture this job was for no longer exists.")
    if capture.status in (Capture.Status.DONE, Capture.Status.FAILED):
        return {"capture": str(capture.code), "status": capture.status}
    Capture.objects.for_label(label).filter(pk=capture.pk).update(status=Capture.Status.RUNNING)
    try:
        with tempfile.TemporaryDirectory(prefix="capture-", dir=temp_dir()) as tmp:
            return _run(ctx, capture, Path(tmp))
    except JobFailure:
        raise
    except Exception as exc:
        # The job machinery retries; after the last attempt the capture must not stay
        # "capturing" for ever.
        if ctx.job.attempts >= ctx.job.max_attempts:
            capture_fail(
                capture=capture,
                code="internal_error",
                message=f"{type(exc).__name__}: {exc}"[:2000],
            )
        raise
