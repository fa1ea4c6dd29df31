"""Captures of web pages: request, run (a job), re-capture, schedules, and their use as evidence.

A capture job:

1. fetches the URL through the safe fetcher (``optout.lib.fetch``), every hop recorded;
2. renders the page in headless Chromium whose every request is answered from that record
   or by the safe fetcher (``evidence.capture.render``); without a browser the capture
   goes on and says so;
3. writes the WARC of all the traffic, stores the screenshot and PDF, extracts the
   readable text and compares it with the previous capture of the same URL;
4. writes the provenance record (JSON: headers, final URL, redirect chain, peer IP, TLS
   certificates, capture time in UTC, software versions, the hash of every output) and a
   bundle of all the files; every output is a blob with its own ledger entry;
5. asks the label's timestamp authority, when one is configured, to stamp the provenance
   record (``evidence.services.capture_evidence``).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.capture.bundle import Member, write_bundle
from evidence.capture.provenance import certificate_facts, software_versions
from evidence.capture.render import (
    BrowserRequest,
    Refused,
    Rendering,
    RenderUnavailable,
    Served,
    render_page,
)
from evidence.capture.text import page_title, plain_text, readable_text, text_diff
from evidence.capture.warc import write_warc
from evidence.models import Capture, CapturePurpose, CaptureSchedule
from optout.jobs import JobContext, JobFailure, job_kind
from optout.lib.canonical import utc_iso
from optout.lib.fetch import FetchError, FetchResult, check_url, fetch
from optout.lib.fetch.results import Hop
from optout.lib.hashing import sha256_bytes
from optout.lib.version import optout_version_text
from optout.models import Blob, Label, User
from optout.services.blobs import blob_open, blob_store_bytes, blob_store_file
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append
from optout.uploads import temp_dir

logger = logging.getLogger(__name__)

CAPTURE_JOB = "evidence.capture"
PROVENANCE_FORMAT = "optout-capture-provenance/1"
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_RENDERABLE = _HTML_TYPES | {"text/plain", ""}
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# --- requesting ----------------------------------------------------------------------------


class CaptureRefused(ValidationError):
    """The URL can never be fetched; ``reason`` is the fetcher's code (``host_not_allowed``…)."""

    def __init__(self, error: FetchError) -> None:
        super().__init__({"url": [error.message]}, code=error.code)
        self.reason = error.code
        self.detail = getattr(error, "reason", "")
        self.message_text = error.message


def capture_url_check(url: str) -> str:
    """The URL as it will be fetched, or ``CaptureRefused`` naming why it never could be."""
    try:
        return check_url(url or "").url
    except FetchError as exc:
        raise CaptureRefused(exc) from None


def _purpose(purpose: str) -> str:
    if purpose not in CapturePurpose.values:
        raise ValidationError(
            {
                "purpose": [
                    _("Choose one of: %(values)s.") % {"values": ", ".join(CapturePurpose.values)}
                ]
            },
            code="invalid",
        )
    return purpose


@transaction.atomic
def capture_request(
    *,
    label: Label,
    actor: User | None,
    url: str,
    purpose: str,
    note: str = "",
    trigger: str = Capture.Trigger.USER,
    schedule: CaptureSchedule | None = None,
    recapture_every_hours: int | None = None,
) -> Capture:
    """Write a pending capture and its job (queued when the caller's transaction commits).

    A URL the fetcher would refuse whatever the network says (scheme, syntax, a private
    address, a port) is refused here, and nothing is written.
    """
    normalised = capture_url_check(url)
    capture = Capture(
        label=label,
        url=normalised,
        purpose=_purpose(purpose),
        note=(note or "").strip(),
        trigger=trigger,
        schedule=schedule,
        requested_by=actor,
    )
    capture.full_clean(exclude=["label", "job", "schedule", "previous"], validate_unique=False)
    capture.save()
    capture.job = job_create(
        label=label,
        kind=CAPTURE_JOB,
        actor=actor,
        title=f"Capture {normalised}"[:300],
        params={"capture": str(capture.code)},
    )
    capture.save(update_fields=["job"])
    ledger_append(
        label=label,
        actor=actor,
        action="capture.requested",
        subject=capture,
        data={"url": normalised, "purpose": capture.purpose, "trigger": trigger},
    )
    if recapture_every_hours is not None:
        capture_schedule_set(
            label=label,
            actor=actor,
            url=normalised,
            purpose=capture.purpose,
            interval_hours=recapture_every_hours,
        )
    return capture


def capture_recapture(*, capture: Capture, actor: User | None) -> Capture:
    """Capture the same URL again, for the same purpose."""
    return capture_request(
        label=capture.label,
        actor=actor,
        url=capture.url,
        purpose=capture.purpose,
        note=capture.note,
        trigger=Capture.Trigger.RECAPTURE,
    )


# --- schedules -----------------------------------------------------------------------------


@transaction.atomic
def capture_schedule_set(
    *, label: Label, actor: User | None, url: str, purpose: str, interval_hours: int | None
) -> CaptureSchedule | None:
    """Capture ``url`` every ``interval_hours`` from now on (None or 0 stops it)."""
    normalised = capture_url_check(url)
    current = (
        CaptureSchedule.objects.for_label(label)
        .select_for_update()
        .filter(url=normalised, active=True)
        .first()
    )
    if current is not None:
        current.active = False
        current.save(update_fields=["active", "updated_at"])
    if not interval_hours:
        if current is not None:
            ledger_append(
                label=label,
                actor=actor,
                action="capture.schedule_stopped",
                subject=current,
                data={"url": normalised},
            )
        return None
    schedule = CaptureSchedule(
        label=label,
        url=normalised,
        purpose=_purpose(purpose),
        interval_hours=interval_hours,
        next_run_at=timezone.now() + timedelta(hours=interval_hours),
        created_by=actor,
    )
    schedule.full_clean(exclude=["label"], validate_unique=False)
    schedule.save()
    ledger_append(
        label=label,
        actor=actor,
        action="capture.schedule_set",
        subject=schedule,
        data={"url": normalised, "purpose": purpose, "interval_hours": interval_hours},
    )
    return schedule


def captures_run_due(*, now: datetime | None = None, limit: int = 100) -> int:
    """Start the captures whose schedule is due (system code: every label's schedules).

    Each schedule is claimed with ``SKIP LOCKED`` and moved to its next time in the same
    transaction as the capture it starts, so two beats never start the same one twice.
    """
    now = now or timezone.now()
    started = 0
    for _attempt in range(limit):
        with transaction.atomic():
            schedule = (
                CaptureSchedule.objects.unscoped()
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("label")
                .filter(active=True, next_run_at__lte=now, label__is_active=True)
                .order_by("next_run_at")
                .first()
            )
            if schedule is None:
                break
            schedule.next_run_at = now + timedelta(hours=schedule.interval_hours)
            try:
                with transaction.atomic():
                    capture_request(
                        label=schedule.label,
                        actor=None,
                        url=schedule.url,
                        purpose=schedule.purpose,
                        trigger=Capture.Trigger.SCHEDULE,
                        schedule=schedule,
                    )
                started += 1
            except ValidationError as exc:
                # The URL is no longer allowed (the allowlist changed): stop, on the record.
                schedule.active = False
                ledger_append(
                    label=schedule.label,
                    actor=None,
                    action="capture.schedule_stopped",
                    subject=schedule,
                    data={"url": schedule.url, "reason": "; ".join(exc.messages)[:500]},
                )
            schedule.save(update_fields=["next_run_at", "active", "updated_at"])
    return started


# --- running -------------------------------------------------------------------------------


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


def _charset(hop: Hop) -> str | None:
    for param in (hop.header("content-type") or "").split(";")[1:]:
        key, _sep, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip().strip('"')
    return None


def _hop_record(hop: Hop, *, certificates: bool) -> dict[str, Any]:
    record = hop.provenance()
    record["reason"] = hop.reason
    record["request_headers"] = [[k, v] for k, v in hop.request_headers]
    record["response_headers"] = [[k, v] for k, v in hop.headers]
    if certificates and hop.tls is not None:
        record["tls"]["certificates"] = [certificate_facts(der) for der in hop.tls.peer_chain]
    return record


def _output(blob: Blob, filename: str) -> dict[str, Any]:
    return {
        "filename": filename,
        "sha256": blob.sha256,
        "size": blob.size,
        "media_type": blob.media_type,
    }


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "page").replace(":", "_")


def output_filenames(*, url: str, moment: datetime) -> dict[str, str]:
    """Download names of a capture's files: host, date and what the file is."""
    moment = moment.astimezone(UTC)
    stem = f"capture-{_host(url)}-{moment:%Y%m%dT%H%M%SZ}"
    return {
        "warc": f"{stem}.warc.gz",
        "screenshot": f"{stem}.png",
        "pdf": f"{stem}.pdf",
        "provenance": f"{stem}-provenance.json",
        "bundle": f"{stem}.zip",
    }


@dataclass
class CaptureFiles:
    warc: Blob | None = None
    screenshot: Blob | None = None
    pdf: Blob | None = None
    provenance: Blob | None = None
    bundle: Blob | None = None

    def stored(self) -> Iterator[tuple[str, Blob]]:
        for name in ("warc", "screenshot", "pdf", "provenance", "bundle"):
            blob = getattr(self, name)
            if blob is not None:
                yield name, blob

    @classmethod
    def of(cls, capture: Capture) -> CaptureFiles:
        return cls(
            warc=capture.warc,
            screenshot=capture.screenshot,
            pdf=capture.pdf,
            provenance=capture.provenance,
            bundle=capture.bundle,
        )


def _previous(capture: Capture) -> Capture | None:
    found: Capture | None = (
        Capture.objects.for_label(capture.label)
        .filter(url=capture.url, status=Capture.Status.DONE)
        .exclude(pk=capture.pk)
        .order_by("-captured_at", "-id")
        .first()
    )
    return found


def _fail(capture: Capture, *, code: str, message: str, warc: Blob | None = None) -> None:
    with transaction.atomic():
        Capture.objects.for_label(capture.label).filter(pk=capture.pk).update(
            status=Capture.Status.FAILED,
            error_code=code[:64],
            error=message,
            warc=warc,
            finished_at=timezone.now(),
        )
        if warc is not None:
            ledger_append(
                label=capture.label,
                actor=capture.requested_by,
                action="capture.output_stored",
                subject=capture,
                blob=warc,
                data={"output": "warc", "partial": True},
            )
        ledger_append(
            label=capture.label,
            actor=capture.requested_by,
            action="capture.failed",
            subject=capture,
            data={"url": capture.url, "code": code, "message": message[:500]},
        )


def _warc_info(capture: Capture, versions: dict[str, str]) -> dict[str, Any]:
    return {
        "software": f"optout {optout_version_text()} (warcio {versions.get('warcio', '')})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "isPartOf": f"optout-capture-{capture.code}",
        "description": f"Capture of {capture.url}",
        "python": versions.get("python", ""),
        "browser": versions.get("browser", ""),
        "x-optout-transfer-encoding": (
            "Bodies are stored after transfer decoding; a Transfer-Encoding header is kept "
            "as X-Optout-Orig-Transfer-Encoding."
        ),
    }


def _render(
    capture: Capture, page: FetchResult, workdir: Path
) -> tuple[Rendering | None, str, _BrowserFetcher]:
    serve = _BrowserFetcher(
        page=page,
        budget_bytes=_setting("OPTOUT_CAPTURE_RESOURCE_BUDGET_BYTES", 100 * 1024 * 1024),
        max_bytes=_setting("OPTOUT_CAPTURE_RESOURCE_MAX_BYTES", 20 * 1024 * 1024),
        deadline_seconds=float(_setting("OPTOUT_CAPTURE_RESOURCE_DEADLINE_SECONDS", 20)),
    )
    final = page.final
    if final.content_type not in _RENDERABLE and not final.content_type.startswith("image/"):
        note = _("Not rendered: the page is not a web page (%(type)s).") % {
            "type": final.content_type
        }
        return None, note, serve
    if not _setting("OPTOUT_CAPTURE_RENDER", True):
        return None, _("Not rendered: rendering is switched off on this server."), serve
    try:
        rendering = render_page(
            url=page.final_url,
            serve=serve,
            workdir=workdir,
            executable=_setting("OPTOUT_CAPTURE_CHROMIUM", "/usr/bin/chromium"),
            timeout_s=int(_setting("OPTOUT_CAPTURE_RENDER_TIMEOUT_SECONDS", 45)),
            max_requests=int(_setting("OPTOUT_CAPTURE_MAX_REQUESTS", 300)),
        )
    except RenderUnavailable as exc:
        logger.warning("Capture %s not rendered: %s", capture.code, exc)
        return None, _("Not rendered: %(reason)s") % {"reason": str(exc)}, serve
    return rendering, "", serve


def _text(final: Hop) -> str:
    data = final.body.read()
    if final.content_type in _HTML_TYPES:
        return readable_text(data, _charset(final))
    if final.content_type == "text/plain":
        return plain_text(data, _charset(final))
    return ""


@job_kind(CAPTURE_JOB, max_attempts=2)
def capture_job(ctx: JobContext) -> dict[str, Any]:
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
            _fail(capture, code="internal_error", message=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def _run(ctx: JobContext, capture: Capture, workdir: Path) -> dict[str, Any]:
    label = capture.label
    actor = capture.requested_by
    ctx.progress(5, "Fetching the page")
    try:
        page = fetch(
            capture.url,
            headers={"Accept": _ACCEPT},
            max_bytes=_setting("OPTOUT_CAPTURE_MAX_BYTES", 50 * 1024 * 1024),
            deadline_seconds=float(_setting("OPTOUT_CAPTURE_DEADLINE_SECONDS", 30)),
        )
    except FetchError as exc:
        warc = None
        if exc.hops:
            # What arrived before the refusal (a redirect to a private address, say) is
            # evidence too.
            path = workdir / "partial.warc.gz"
            write_warc(
                path,
                exchanges=exc.hops,
                info=_warc_info(capture, software_versions()),
                filename=path.name,
            )
            warc = blob_store_file(
                label=label, path=path, actor=actor, media_type="application/warc"
            )
            for hop in exc.hops:
                hop.close()
        _fail(capture, code=exc.code, message=exc.message, warc=warc)
        raise JobFailure(exc.message) from None
    serve: _BrowserFetcher | None = None
    try:
        ctx.progress(20, "Rendering the page in Chromium")
        rendering, render_note, serve = _render(capture, page, workdir)
        return _store(ctx, capture, page, rendering, render_note, serve, workdir)
    finally:
        if serve is not None:
            serve.close()
        page.close()


def _store(
    ctx: JobContext,
    capture: Capture,
    page: FetchResult,
    rendering: Rendering | None,
    render_note: str,
    serve: _BrowserFetcher,
    workdir: Path,
) -> dict[str, Any]:
    label = capture.label
    actor = capture.requested_by
    final = page.final
    captured_at = page.hops[0].started_at
    versions = software_versions(browser=rendering.browser if rendering else "")
    names = output_filenames(url=capture.url, moment=captured_at)
    outputs = CaptureFiles()

    ctx.progress(60, "Writing the WARC")
    exchanges = [*page.hops, *(hop for result in serve.results for hop in result.hops)]
    warc_path = workdir / names["warc"]
    records = write_warc(
        warc_path, exchanges=exchanges, info=_warc_info(capture, versions), filename=names["warc"]
    )
    outputs.warc = blob_store_file(
        label=label, path=warc_path, actor=actor, media_type="application/warc"
    )
    if rendering is not None:
        outputs.screenshot = blob_store_file(
            label=label, path=rendering.screenshot, actor=actor, media_type="image/png"
        )
        outputs.pdf = blob_store_file(
            label=label, path=rendering.pdf, actor=actor, media_type="application/pdf"
        )

    ctx.progress(75, "Comparing with the previous capture")
    text = _text(final)
    title = (rendering.title if rendering else "") or (
        page_title(final.body.read(), _charset(final)) if final.content_type in _HTML_TYPES else ""
    )
    previous = _previous(capture)
    comparison: dict[str, Any] | None = None
    changed: bool | None = None
    added = removed = 0
    if previous is not None:
        diff = text_diff(previous.text, text, old_name="previous", new_name="this")
        changed, added, removed = diff.changed, diff.added, diff.removed
        comparison = {
            "previous_capture": str(previous.code),
            "previous_captured_at": utc_iso(previous.captured_at) if previous.captured_at else "",
            "previous_text_sha256": previous.text_sha256,
            "changed": changed,
            "lines_added": added,
            "lines_removed": removed,
        }

    ctx.progress(85, "Writing the provenance record")
    refused = [r for r in (rendering.requests if rendering else []) if r.outcome != "served"]
    provenance: dict[str, Any] = {
        "format": PROVENANCE_FORMAT,
        "capture": str(capture.code),
        "label": str(label.code),
        "url": capture.url,
        "purpose": capture.purpose,
        "note": capture.note,
        "trigger": capture.trigger,
        "requested_by": actor.email if actor else "",
        "captured_at": utc_iso(captured_at),
        "finished_at": utc_iso(timezone.now()),
        "final_url": page.final_url,
        "status": final.status,
        "peer_ip": final.peer_ip,
        "peer_port": final.peer_port,
        "redirect_chain": list(page.redirect_chain),
        "response_headers": [[k, v] for k, v in final.headers],
        "hops": [_hop_record(hop, certificates=True) for hop in page.hops],
        "rendering": {
            "rendered": rendering is not None,
            "note": render_note,
            **(
                {
                    "browser": rendering.browser,
                    "viewport": list(rendering.viewport),
                    "screenshot_truncated": rendering.screenshot_truncated,
                    "page_title": rendering.title,
                    "requests": [r.as_dict() for r in rendering.requests],
                    "requests_refused": len(refused),
                }
                if rendering is not None
                else {}
            ),
        },
        "text": {"sha256": sha256_bytes(text.encode("utf-8")), "characters": len(text)},
        "comparison": comparison,
        "software": versions,
        "warc": {"records": records, "exchanges": len(exchanges)},
        "outputs": {name: _output(blob, names[name]) for name, blob in outputs.stored()},
    }
    provenance_bytes = json.dumps(provenance, indent=2, sort_keys=True, ensure_ascii=False).encode()
    outputs.provenance = blob_store_bytes(
        label=label, data=provenance_bytes, actor=actor, media_type="application/json"
    )

    ctx.progress(92, "Bundling the files")
    outputs.bundle = capture_bundle_build(
        label=label,
        actor=actor,
        names=names,
        files=outputs,
        timestamp_token=None,
        url=capture.url,
        captured_at=captured_at,
    )

    with transaction.atomic():
        Capture.objects.for_label(label).filter(pk=capture.pk).update(
            status=Capture.Status.DONE,
            captured_at=captured_at,
            final_url=page.final_url[:2048],
            http_status=final.status,
            peer_ip=final.peer_ip,
            page_title=title[:500],
            rendered=rendering is not None,
            render_note=render_note,
            warc=outputs.warc,
            screenshot=outputs.screenshot,
            pdf=outputs.pdf,
            provenance=outputs.provenance,
            bundle=outputs.bundle,
            text=text,
            text_sha256=provenance["text"]["sha256"],
            previous=previous,
            changed=changed,
            lines_added=added,
            lines_removed=removed,
            error_code="",
            error="",
            finished_at=timezone.now(),
        )
        capture.refresh_from_db()
        for name, blob in outputs.stored():
            ledger_append(
                label=label,
                actor=actor,
                action="capture.output_stored",
                subject=capture,
                blob=blob,
                data={"output": name, "filename": names[name], "size": blob.size},
            )
        ledger_append(
            label=label,
            actor=actor,
            action="capture.done",
            subject=capture,
            blob=outputs.provenance,
            data={
                "url": capture.url,
                "final_url": page.final_url[:2048],
                "status": final.status,
                "peer_ip": final.peer_ip,
                "captured_at": utc_iso(captured_at),
                "rendered": rendering is not None,
                "changed": changed if changed is not None else "first capture",
            },
        )
    ctx.progress(96, "Timestamping")
    from evidence.services.capture_evidence import capture_timestamp_start

    capture_timestamp_start(capture=capture)
    return {
        "capture": str(capture.code),
        "status": capture.status,
        "rendered": capture.rendered,
        "changed": changed,
    }


def capture_bundle_build(
    *,
    label: Label,
    actor: User | None,
    names: dict[str, str],
    files: CaptureFiles,
    timestamp_token: Blob | None,
    url: str,
    captured_at: datetime,
) -> Blob:
    """Store the bundle of a capture's files (see ``evidence.capture.bundle``)."""
    readme = render_to_string(
        "evidence/captures/bundle_readme.txt",
        {
            "url": url,
            "captured_at": utc_iso(captured_at),
            "names": names,
            "files": files,
            "timestamp": timestamp_token is not None,
        },
    )
    plan = [(names[name], blob) for name, blob in files.stored() if name != "bundle"]
    if timestamp_token is not None:
        plan.append((names["provenance"] + ".tsr", timestamp_token))
    fd, name = tempfile.mkstemp(prefix="bundle-", suffix=".zip", dir=temp_dir())
    os.close(fd)
    path = Path(name)
    try:
        with ExitStack() as stack:
            members = [
                Member(name=member, source=stack.enter_context(blob_open(blob)))
                for member, blob in plan
            ]
            write_bundle(path, members=members, readme=readme)
        return blob_store_file(label=label, path=path, actor=actor, media_type="application/zip")
    finally:
        path.unlink(missing_ok=True)
