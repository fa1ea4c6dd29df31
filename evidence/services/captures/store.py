"""Storing what a capture saw: the WARC, screenshot and PDF, the comparison with the previous
capture, the provenance record and the bundle; then the capture is done (or failed)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from evidence.capture.bundle import Member, write_bundle
from evidence.capture.provenance import certificate_facts, software_versions
from evidence.capture.render import Rendering
from evidence.capture.text import page_title, plain_text, readable_text, text_diff
from evidence.capture.warc import write_warc
from evidence.models import Capture
from optout.lib.canonical import utc_iso
from optout.lib.fetch import FetchResult
from optout.lib.fetch.results import Hop
from optout.lib.hashing import sha256_bytes
from optout.lib.tempfiles import temp_dir
from optout.lib.version import optout_version_text
from optout.models import Blob, Label, User
from optout.services.blobs import blob_open, blob_store_bytes, blob_store_file
from optout.services.ledger import ledger_append

PROVENANCE_FORMAT = "optout-capture-provenance/1"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

CaptureFinishedHook = Callable[[Capture], None]
_CAPTURE_FINISHED_HOOKS: list[CaptureFinishedHook] = []


def register_capture_finished_hook(hook: CaptureFinishedHook) -> None:
    """Call ``hook(capture)`` each time a capture ends, done or failed, inside the
    transaction that settles it: how an app above evidence (monitoring's watched pages)
    learns what a scheduled capture saw, without evidence importing that app."""
    if hook not in _CAPTURE_FINISHED_HOOKS:
        _CAPTURE_FINISHED_HOOKS.append(hook)


def _finished(capture: Capture) -> None:
    for hook in _CAPTURE_FINISHED_HOOKS:
        hook(capture)


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


@dataclass(frozen=True)
class _Comparison:
    """How this capture's text differs from the previous capture of the same URL."""

    previous: Capture | None = None
    changed: bool | None = None
    added: int = 0
    removed: int = 0

    def record(self) -> dict[str, Any] | None:
        previous = self.previous
        if previous is None:
            return None
        return {
            "previous_capture": str(previous.code),
            "previous_captured_at": utc_iso(previous.captured_at) if previous.captured_at else "",
            "previous_text_sha256": previous.text_sha256,
            "changed": self.changed,
            "lines_added": self.added,
            "lines_removed": self.removed,
        }


def charset(hop: Hop) -> str | None:
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


def warc_info(capture: Capture, versions: dict[str, str]) -> dict[str, Any]:
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


# --- failing -------------------------------------------------------------------------------


def capture_partial_warc_store(
    *, capture: Capture, exchanges: Sequence[Hop], workdir: Path
) -> Blob:
    """What arrived before a refusal (a redirect to a private address, say) is evidence too."""
    path = workdir / "partial.warc.gz"
    write_warc(
        path,
        exchanges=exchanges,
        info=warc_info(capture, software_versions()),
        filename=path.name,
    )
    return blob_store_file(
        label=capture.label, path=path, actor=capture.requested_by, media_type="application/warc"
    )


def capture_fail(*, capture: Capture, code: str, message: str, warc: Blob | None = None) -> None:
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
        capture.refresh_from_db()
        _finished(capture)


# --- the steps of a finished capture -------------------------------------------------------


def _write_warc(
    *,
    capture: Capture,
    exchanges: Sequence[Hop],
    versions: dict[str, str],
    filename: str,
    workdir: Path,
) -> tuple[Blob, int]:
    """The WARC of every exchange, stored; and the number of records it holds."""
    path = workdir / filename
    records = write_warc(
        path, exchanges=exchanges, info=warc_info(capture, versions), filename=filename
    )
    blob = blob_store_file(
        label=capture.label, path=path, actor=capture.requested_by, media_type="application/warc"
    )
    return blob, records


def _store_rendering(*, capture: Capture, rendering: Rendering, outputs: CaptureFiles) -> None:
    label, actor = capture.label, capture.requested_by
    outputs.screenshot = blob_store_file(
        label=label, path=rendering.screenshot, actor=actor, media_type="image/png"
    )
    outputs.pdf = blob_store_file(
        label=label, path=rendering.pdf, actor=actor, media_type="application/pdf"
    )


def _page_text(final: Hop) -> str:
    data = final.body.read()
    if final.content_type in HTML_TYPES:
        return readable_text(data, charset(final))
    if final.content_type == "text/plain":
        return plain_text(data, charset(final))
    return ""


def _page_title(final: Hop, rendering: Rendering | None) -> str:
    return (rendering.title if rendering else "") or (
        page_title(final.body.read(), charset(final)) if final.content_type in HTML_TYPES else ""
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


def _compare(*, capture: Capture, text: str) -> _Comparison:
    previous = _previous(capture)
    if previous is None:
        return _Comparison()
    diff = text_diff(previous.text, text, old_name="previous", new_name="this")
    return _Comparison(
        previous=previous, changed=diff.changed, added=diff.added, removed=diff.removed
    )


def _rendering_record(rendering: Rendering | None, note: str) -> dict[str, Any]:
    if rendering is None:
        return {"rendered": False, "note": note}
    refused = [r for r in rendering.requests if r.outcome != "served"]
    return {
        "rendered": True,
        "note": note,
        "browser": rendering.browser,
        "viewport": list(rendering.viewport),
        "screenshot_truncated": rendering.screenshot_truncated,
        "page_title": rendering.title,
        "requests": [r.as_dict() for r in rendering.requests],
        "requests_refused": len(refused),
    }


def _provenance_record(
    *,
    capture: Capture,
    page: FetchResult,
    rendering: Rendering | None,
    render_note: str,
    text: str,
    comparison: _Comparison,
    versions: dict[str, str],
    warc_records: int,
    exchanges: int,
    names: dict[str, str],
    outputs: CaptureFiles,
) -> dict[str, Any]:
    """The provenance record (JSON): everything about how the files came to be."""
    final = page.final
    actor = capture.requested_by
    return {
        "format": PROVENANCE_FORMAT,
        "capture": str(capture.code),
        "label": str(capture.label.code),
        "url": capture.url,
        "purpose": capture.purpose,
        "note": capture.note,
        "trigger": capture.trigger,
        "requested_by": actor.email if actor else "",
        "captured_at": utc_iso(page.hops[0].started_at),
        "finished_at": utc_iso(timezone.now()),
        "final_url": page.final_url,
        "status": final.status,
        "peer_ip": final.peer_ip,
        "peer_port": final.peer_port,
        "redirect_chain": list(page.redirect_chain),
        "response_headers": [[k, v] for k, v in final.headers],
        "hops": [_hop_record(hop, certificates=True) for hop in page.hops],
        "rendering": _rendering_record(rendering, render_note),
        "text": {"sha256": sha256_bytes(text.encode("utf-8")), "characters": len(text)},
        "comparison": comparison.record(),
        "software": versions,
        "warc": {"records": warc_records, "exchanges": exchanges},
        "outputs": {name: _output(blob, names[name]) for name, blob in outputs.stored()},
    }


def _store_provenance(*, capture: Capture, provenance: dict[str, Any]) -> Blob:
    data = json.dumps(provenance, indent=2, sort_keys=True, ensure_ascii=False).encode()
    return blob_store_bytes(
        label=capture.label, data=data, actor=capture.requested_by, media_type="application/json"
    )


@transaction.atomic
def _mark_done(
    *,
    capture: Capture,
    page: FetchResult,
    rendering: Rendering | None,
    render_note: str,
    title: str,
    text: str,
    text_sha256: str,
    comparison: _Comparison,
    names: dict[str, str],
    outputs: CaptureFiles,
) -> None:
    """The capture is done: its row, a ledger entry per stored file and one for the capture."""
    label, actor, final = capture.label, capture.requested_by, page.final
    captured_at = page.hops[0].started_at
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
        text_sha256=text_sha256,
        previous=comparison.previous,
        changed=comparison.changed,
        lines_added=comparison.added,
        lines_removed=comparison.removed,
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
            "changed": comparison.changed if comparison.changed is not None else "first capture",
        },
    )
    _finished(capture)


def capture_store(
    *,
    capture: Capture,
    page: FetchResult,
    rendering: Rendering | None,
    render_note: str,
    resources: Sequence[FetchResult],
    workdir: Path,
    progress: Callable[[int, str], None],
) -> dict[str, Any]:
    """Store every output of a fetched (and perhaps rendered) page; the capture is then done.

    ``resources`` are the fetches made for the browser; their traffic goes into the WARC.
    ``progress(percent, step)`` reports each step.
    """
    from evidence.services.capture_evidence import capture_timestamp_start

    final = page.final
    captured_at = page.hops[0].started_at
    versions = software_versions(browser=rendering.browser if rendering else "")
    names = output_filenames(url=capture.url, moment=captured_at)
    outputs = CaptureFiles()

    progress(60, "Writing the WARC")
    exchanges = [*page.hops, *(hop for result in resources for hop in result.hops)]
    outputs.warc, warc_records = _write_warc(
        capture=capture,
        exchanges=exchanges,
        versions=versions,
        filename=names["warc"],
        workdir=workdir,
    )
    if rendering is not None:
        _store_rendering(capture=capture, rendering=rendering, outputs=outputs)

    progress(75, "Comparing with the previous capture")
    text = _page_text(final)
    title = _page_title(final, rendering)
    comparison = _compare(capture=capture, text=text)

    progress(85, "Writing the provenance record")
    provenance = _provenance_record(
        capture=capture,
        page=page,
        rendering=rendering,
        render_note=render_note,
        text=text,
        comparison=comparison,
        versions=versions,
        warc_records=warc_records,
        exchanges=len(exchanges),
        names=names,
        outputs=outputs,
    )
    outputs.provenance = _store_provenance(capture=capture, provenance=provenance)

    progress(92, "Bundling the files")
    outputs.bundle = capture_bundle_build(
        label=capture.label,
        actor=capture.requested_by,
        names=names,
        files=outputs,
        timestamp_token=None,
        url=capture.url,
        captured_at=captured_at,
    )
    _mark_done(
        capture=capture,
        page=page,
        rendering=rendering,
        render_note=render_note,
        title=title,
        text=text,
        text_sha256=provenance["text"]["sha256"],
        comparison=comparison,
        names=names,
        outputs=outputs,
    )

    progress(96, "Timestamping")
    capture_timestamp_start(capture=capture)
    return {
        "capture": str(capture.code),
        "status": capture.status,
        "rendered": capture.rendered,
        "changed": comparison.changed,
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
