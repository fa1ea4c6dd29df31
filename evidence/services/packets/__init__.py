"""Packets for counsel: a matter's evidence in one ZIP that anyone can verify offline.

Layout of a packet::

    items/001-<name>            every active item of the matter, under a safe, unique name
    timestamps/items/…tsr       an item's own RFC 3161 token, when it has one
    ledger/excerpt.jsonl        the custody-ledger entries about the items, with their chain
    index.pdf                   a printable index (WeasyPrint, loads nothing from outside)
    verify.py, README.txt       the standalone verifier (standard library only) and how to use it
    manifest.json               every member above: size, SHA-256, kind, dates, source, provenance,
                                ledger entry ids
    timestamps/manifest.json.tsr, timestamps/tsa-certificates.pem
                                the manifest's RFC 3161 timestamp, when the label has a TSA
    SHA256SUMS                  every member, in the form `sha256sum -c` reads

Every item is hashed again while it is copied in and must equal the hash taken when it was
received; a mismatch (or a missing file) blocks the packet and raises an alert.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evidence.models import Matter, Packet
from evidence.selectors import matter_items
from evidence.services.packets.builder import PACKET_JOB, PacketBlocked, packet_build
from evidence.services.packets.sealing import packet_seal
from optout.jobs import JobContext, JobFailure
from optout.models import User
from optout.services.blobs import blob_download_response
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

# --- requesting ----------------------------------------------------------------------------


@transaction.atomic
def packet_request(*, matter: Matter, actor: User | None, language: str = "en") -> Packet:
    """Start building a packet of ``matter``'s active items (a job with progress)."""
    if not matter_items(matter=matter, include_withdrawn=False).exists():
        raise ValidationError(
            _("The matter has no items yet; add evidence before building a packet."),
            code="empty",
        )
    packet: Packet = Packet.objects.create(label=matter.label, matter=matter, created_by=actor)
    packet.job = job_create(
        label=matter.label,
        kind=PACKET_JOB,
        actor=actor,
        title=gettext_noop("Build a packet of “%(matter)s”"),
        title_args={"matter": matter.title[:250]},
        params={"packet": str(packet.code), "language": language},
    )
    packet.save(update_fields=["job"])
    ledger_append(
        label=matter.label,
        actor=actor,
        action="packet.requested",
        subject=packet,
        data={"matter": str(matter.code)},
    )
    return packet


# --- the job and the download -------------------------------------------------------------


def packet_job_run(*, ctx: JobContext) -> dict[str, Any]:
    """The body of the packet job: build the packet named in its params."""
    packet = (
        Packet.objects.for_label(ctx.job.label)
        .select_related("matter", "label", "created_by", "blob")
        .filter(code=ctx.params.get("packet"))
        .first()
    )
    if packet is None:
        raise JobFailure("The packet this job was for no longer exists.")
    building = Packet.objects.for_label(packet.label).filter(
        pk=packet.pk, status=Packet.Status.BUILDING
    )
    try:
        language = str(ctx.params.get("language") or "en")
        # Reasons written into the packet row and the alert read in the requester's language.
        with translation.override(language):
            packet = packet_build(packet=packet, report=ctx.progress, language=language)
    except JobFailure as exc:
        building.update(status=Packet.Status.FAILED, error=str(exc))
        raise
    except Exception as exc:
        # The job machinery retries; after the last attempt the packet is failed too.
        if ctx.job.attempts >= ctx.job.max_attempts:
            building.update(status=Packet.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    return {
        "packet": str(packet.code),
        "sha256": packet.blob.sha256 if packet.blob else None,
        "manifest_sha256": packet.manifest_sha256,
        "items": packet.item_count,
        "seal": packet.seal,
    }


def packet_download(*, packet: Packet, actor: User | None) -> HttpResponseBase:
    """The packet ZIP as an attachment; the download is a custody event."""
    assert packet.blob is not None
    return blob_download_response(
        blob=packet.blob,
        filename=packet.filename,
        actor=actor,
        subject=packet,
        extra={"matter": str(packet.matter.code), "manifest_sha256": packet.manifest_sha256},
    )


def packet_failed_attempt_cleanup(*, packet: Packet) -> None:
    """A packet whose job failed for good is failed too (called by the pages, cheaply)."""
    job = packet.job
    if packet.status == Packet.Status.BUILDING and job is not None and job.status == "failed":
        Packet.objects.for_label(packet.label).filter(
            pk=packet.pk, status=Packet.Status.BUILDING
        ).update(status=Packet.Status.FAILED, error=job.error)
        packet.refresh_from_db()


__all__ = [
    "PACKET_JOB",
    "PacketBlocked",
    "packet_build",
    "packet_download",
    "packet_request",
    "packet_seal",
]
