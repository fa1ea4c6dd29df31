"""The takedown packet: one ZIP holding the notice PDF and the matter's evidence packet.

Layout::

    takedown-<code>.pdf           the notice as approved (or as drafted, before approval)
    evidence-packet-<code>.zip    the matter's evidence packet, built for this download; it
                                  verifies on its own with the verify.py inside it
    README.txt                    what the two files are
    SHA256SUMS                    both files, in the form ``sha256sum -c`` reads

The evidence packet is a regular ``evidence.Packet`` (listed on the matter as well), built in
this job by the evidence app's own builder, so a recipient or a court gets the letter and
the verifiable evidence in one download.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evidence.models import Packet
from evidence.selectors import matter_items
from evidence.services.packets import packet_build
from notices.models import Takedown, TakedownPacket
from optout.jobs import JobContext, JobFailure
from optout.lib.archive import zip_write_bytes, zip_write_stream
from optout.lib.tempfiles import temp_dir
from optout.models import User
from optout.services.blobs import blob_download_response, blob_open, blob_store_file
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

PACKET_JOB = "notices.takedown_packet"

README = """Takedown packet

{pdf}
    The takedown notice ({route}) sent by {sender} to {recipient}.
{packet}
    The evidence packet of the matter "{matter}". Unzip it and run
    `python3 verify.py` inside it: it checks every file against its manifest
    without trusting the system that built it.

SHA256SUMS lists both files; check them with `sha256sum -c SHA256SUMS`.
"""


def takedown_packet_request(
    *, takedown: Takedown, actor: User | None, language: str = "en"
) -> TakedownPacket:
    """Start building a takedown packet (a job)."""
    if takedown.pdf is None:
        raise ValidationError(
            _("The notice PDF is still being rendered; build the packet once it is ready."),
            code="not_rendered",
        )
    if not matter_items(matter=takedown.matter, include_withdrawn=False).exists():
        raise ValidationError(
            _("The matter has no items yet; add evidence before building a packet."),
            code="empty",
        )
    with transaction.atomic():
        packet: TakedownPacket = TakedownPacket.objects.create(
            label=takedown.label, takedown=takedown, created_by=actor
        )
        packet.job = job_create(
            label=takedown.label,
            kind=PACKET_JOB,
            actor=actor,
            title=_("Build the takedown packet for %(recipient)s")
            % {"recipient": takedown.recipient_name},
            params={"packet": str(packet.code), "language": language},
        )
        packet.save(update_fields=["job"])
        ledger_append(
            label=takedown.label,
            actor=actor,
            action="takedown.packet_requested",
            subject=takedown,
            data={"packet": str(packet.code)},
        )
    return packet


def _write_blob(archive: zipfile.ZipFile, name: str, blob: Any, now: Any) -> str:
    with blob_open(blob) as handle:
        digest = zip_write_stream(archive, name, handle, date_time=now)
    if digest.sha256 != blob.sha256:
        raise JobFailure(f"{name} does not match the hash taken when it was stored.")
    return digest.sha256


def takedown_packet_build(
    *, packet: TakedownPacket, report: Any, language: str = "en"
) -> TakedownPacket:
    if packet.status != TakedownPacket.Status.BUILDING:
        return packet
    takedown = packet.takedown
    if takedown.pdf is None:
        raise JobFailure("The takedown has no PDF yet.")
    report(5, "Building the evidence packet")
    if packet.packet is None:
        with transaction.atomic():
            inner: Packet = Packet.objects.create(
                label=takedown.label, matter=takedown.matter, created_by=packet.created_by
            )
            packet.packet = inner
            packet.save(update_fields=["packet"])
            ledger_append(
                label=takedown.label,
                actor=packet.created_by,
                action="packet.requested",
                subject=inner,
                data={"matter": str(takedown.matter.code), "takedown": str(takedown.code)},
            )
    inner = packet.packet
    assert inner is not None
    with translation.override(language):
        inner = packet_build(
            packet=inner, report=lambda p, s=None: report(5 + int(p) * 0.8, s), language=language
        )
    if inner.status != Packet.Status.READY or inner.blob is None:
        raise JobFailure(inner.error or "The evidence packet could not be built.")
    report(90, "Writing the takedown packet")
    now = timezone.now()
    pdf_name = f"takedown-{takedown.code}.pdf"
    inner_name = f"evidence-packet-{inner.code}.zip"
    fd, name = tempfile.mkstemp(prefix="takedown-packet-", suffix=".zip", dir=temp_dir())
    os.close(fd)
    path = Path(name)
    try:
        with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
            sums = {
                pdf_name: _write_blob(archive, pdf_name, takedown.pdf, now),
                inner_name: _write_blob(archive, inner_name, inner.blob, now),
            }
            readme = README.format(
                pdf=pdf_name,
                packet=inner_name,
                route=takedown.get_route_display(),
                sender=takedown.facts.get("sender", {}).get("name", ""),
                recipient=takedown.recipient_name,
                matter=takedown.matter.title,
            ).encode("utf-8")
            zip_write_bytes(archive, "README.txt", readme, date_time=now)
            lines = "".join(f"{digest}  {member}\n" for member, digest in sums.items())
            zip_write_bytes(archive, "SHA256SUMS", lines.encode("ascii"), date_time=now)
        blob = blob_store_file(
            label=takedown.label, path=path, actor=packet.created_by, media_type="application/zip"
        )
    finally:
        path.unlink(missing_ok=True)
    with transaction.atomic():
        TakedownPacket.objects.for_label(takedown.label).filter(pk=packet.pk).update(
            status=TakedownPacket.Status.READY, blob=blob, built_at=now, error=""
        )
        packet.refresh_from_db()
        ledger_append(
            label=takedown.label,
            actor=packet.created_by,
            action="takedown.packet_built",
            subject=takedown,
            blob=blob,
            data={
                "packet": str(packet.code),
                "evidence_packet": str(inner.code),
                "manifest_sha256": inner.manifest_sha256,
                "pdf_sha256": takedown.pdf.sha256,
            },
        )
    return packet


def takedown_packet_run(*, ctx: JobContext) -> dict[str, Any]:
    packet = (
        TakedownPacket.objects.for_label(ctx.job.label)
        .select_related("takedown", "takedown__matter", "takedown__pdf", "packet", "label")
        .filter(code=ctx.params.get("packet"))
        .first()
    )
    if packet is None:
        raise JobFailure("The takedown packet this job was for no longer exists.")
    building = TakedownPacket.objects.for_label(packet.label).filter(
        pk=packet.pk, status=TakedownPacket.Status.BUILDING
    )
    try:
        packet = takedown_packet_build(
            packet=packet, report=ctx.progress, language=str(ctx.params.get("language") or "en")
        )
    except JobFailure as exc:
        building.update(status=TakedownPacket.Status.FAILED, error=str(exc))
        raise
    except Exception as exc:
        if ctx.job.attempts >= ctx.job.max_attempts:
            building.update(
                status=TakedownPacket.Status.FAILED, error=f"{type(exc).__name__}: {exc}"
            )
        raise
    return {"packet": str(packet.code), "sha256": packet.blob.sha256 if packet.blob else None}


def takedown_packet_download(*, packet: TakedownPacket, actor: User | None) -> HttpResponseBase:
    assert packet.blob is not None
    return blob_download_response(
        blob=packet.blob,
        filename=packet.filename,
        actor=actor,
        subject=packet.takedown,
        extra={"takedown_packet": str(packet.code)},
    )


def takedown_packet_failed_cleanup(*, packet: TakedownPacket) -> None:
    job = packet.job
    if (
        packet.status == TakedownPacket.Status.BUILDING
        and job is not None
        and job.status == "failed"
    ):
        TakedownPacket.objects.for_label(packet.label).filter(
            pk=packet.pk, status=TakedownPacket.Status.BUILDING
        ).update(status=TakedownPacket.Status.FAILED, error=job.error)
        packet.refresh_from_db()
