"""Building a packet's ZIP: items re-hashed on the way in, manifest, sums, index, ledger."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evidence import verifier
from evidence.models import Alert, MatterItem, Packet, Timestamp
from evidence.selectors import evidence_settings, matter_items
from evidence.services.alerts import alert_raise
from evidence.services.timestamps import (
    timestamp_attempt,
    timestamp_prepare,
    timestamp_retry_later,
)
from optout.jobs import JobFailure
from optout.lib.archive import (
    ArcnameAllocator,
    ZipMemberWriter,
    zip_write_bytes,
    zip_write_stream,
)
from optout.lib.canonical import canonical_json, utc_iso
from optout.lib.hashing import Digest, sha256_bytes
from optout.lib.pdf import PdfRenderError, render_pdf
from optout.lib.tempfiles import temp_dir
from optout.lib.version import optout_commit, optout_version
from optout.models import Blob, Label, LedgerEntry
from optout.services.blobs import (
    blob_open,
    blob_store_file,
)
from optout.services.ledger import entry_record, ledger_append
from optout.services.ledger_anchors import ledger_anchor_request

PACKET_JOB = "evidence.packet_build"
VERIFIER_SOURCE = Path(verifier.__file__)
# Media types that are compressed already: storing them again deflated only costs time.
_STORED_TYPES = ("image/", "audio/", "video/", "application/pdf", "application/zip")


class PacketBlocked(Exception):
    """A file changed or vanished since it was received: the packet must not be built."""


def _software() -> dict[str, str]:
    return {"name": "Optout", "version": optout_version(), "commit": optout_commit()}


# --- building ------------------------------------------------------------------------------


@dataclass
class _Member:
    path: str
    size: int
    sha256: str
    role: str
    facts: dict[str, Any] = field(default_factory=dict)

    def manifest_entry(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "role": self.role,
            "size": self.size,
            "sha256": self.sha256,
            **self.facts,
        }


class _Builder:
    def __init__(self, packet: Packet, report: Any) -> None:
        self.packet = packet
        self.matter = packet.matter
        self.label: Label = packet.label
        self.report = report
        self.now = timezone.now()
        self.names = ArcnameAllocator()
        for fixed in (
            verifier.MANIFEST,
            verifier.SUMS,
            verifier.TIMESTAMP_TOKEN,
            verifier.TIMESTAMP_CERTS,
            "ledger/excerpt.jsonl",
            "index.pdf",
            "verify.py",
            "README.txt",
        ):
            self.names.reserve(fixed)
        self.members: list[_Member] = []
        self.sums: dict[str, str] = {}

    def add(self, member: _Member) -> None:
        self.members.append(member)
        self.sums[member.path] = member.sha256

    def write_bytes(self, archive: zipfile.ZipFile, path: str, data: bytes, role: str) -> None:
        zip_write_bytes(archive, path, data, date_time=self.now)
        self.add(_Member(path, len(data), sha256_bytes(data), role))

    # items --------------------------------------------------------------------------------

    def copy_blob(self, archive: zipfile.ZipFile, path: str, blob: Blob, what: str) -> Digest:
        """Copy a blob in while hashing it; it must be exactly what was received."""
        compress = not blob.media_type.startswith(_STORED_TYPES)
        try:
            with blob_open(blob) as source:
                digest = zip_write_stream(
                    archive, path, source, date_time=self.now, compress=compress
                )
        except FileNotFoundError:
            raise PacketBlocked(
                _(
                    "The stored file of %(what)s is missing (SHA-256 %(sha256)s). "
                    "The packet was not built."
                )
                % {"what": what, "sha256": blob.sha256}
            ) from None
        if digest.sha256 != blob.sha256 or digest.size != blob.size:
            raise PacketBlocked(
                _(
                    "The stored file of %(what)s has changed since it was received: its SHA-256 "
                    "is now %(now)s (%(now_size)s bytes), it was %(then)s (%(then_size)s bytes) "
                    "on arrival. The packet was not built."
                )
                % {
                    "what": what,
                    "now": digest.sha256,
                    "now_size": digest.size,
                    "then": blob.sha256,
                    "then_size": blob.size,
                }
            )
        return digest

    def add_items(
        self, archive: zipfile.ZipFile, items: list[MatterItem], refs: dict[int, list[Any]]
    ) -> list[dict[str, Any]]:
        rows = []
        total = len(items)
        for index, item in enumerate(items, start=1):
            self.report(5 + 70 * (index - 1) // max(total, 1), f"Item {index} of {total}")
            what = _("item %(index)s (“%(title)s”)") % {"index": index, "title": item.title}
            path = self.names.allocate(
                item.filename or item.title, folder="items", prefix=f"{index:03d}-"
            )
            digest = self.copy_blob(archive, path, item.blob, what)
            token_path = None
            if item.timestamp_blob is not None:
                token_path = self.names.allocate(
                    Path(path).name + ".tsr", folder="timestamps/items"
                )
                token = self.copy_blob(archive, token_path, item.timestamp_blob, what)
                self.add(
                    _Member(
                        token_path,
                        token.size,
                        token.sha256,
                        "item-timestamp",
                        {"item": str(item.code)},
                    )
                )
            facts = {
                "item": str(item.code),
                "kind": item.source_key,
                "source": {"type": item.source_key, "id": str(item.source_code)},
                "title": item.title,
                "description": item.description,
                "original_filename": item.filename,
                "media_type": item.blob.media_type,
                "dates": {
                    "document": item.document_date.isoformat() if item.document_date else None,
                    "recorded": utc_iso(item.recorded_at) if item.recorded_at else None,
                    "received": utc_iso(item.blob.created_at),
                    "added_to_matter": utc_iso(item.created_at),
                },
                "added_by": item.added_by.email if item.added_by else "",
                "source_url": item.source_url,
                "provenance": item.provenance,
                "ledger_entries": [
                    {"seq": e.seq, "id": str(e.code), "action": e.action} for e in refs[item.pk]
                ],
                "timestamp_token": token_path,
            }
            self.add(_Member(path, digest.size, digest.sha256, "item", facts))
            rows.append(
                {
                    "index": index,
                    "path": path,
                    "item": item,
                    "sha256": digest.sha256,
                    "size": digest.size,
                }
            )
        return rows

    # ledger -------------------------------------------------------------------------------

    def ledger_refs(self, items: list[MatterItem]) -> tuple[dict[int, list[Any]], set[int]]:
        """The ledger entries about each item (its file, the item, its source) and the matter."""
        blob_items: dict[int, list[MatterItem]] = {}
        code_items: dict[str, list[MatterItem]] = {}
        for item in items:
            blob_items.setdefault(item.blob_id, []).append(item)
            if item.timestamp_blob_id:
                blob_items.setdefault(item.timestamp_blob_id, []).append(item)
            code_items.setdefault(str(item.code), []).append(item)
            code_items.setdefault(str(item.source_code), []).append(item)
        matter_code = str(self.matter.code)
        entries = (
            LedgerEntry.objects.for_label(self.label)
            .filter(Q(blob_id__in=list(blob_items)) | Q(object_code__in=[*code_items, matter_code]))
            .only("seq", "code", "action", "blob_id", "object_code")
            .order_by("seq")
        )
        refs: dict[int, list[Any]] = {item.pk: [] for item in items}
        relevant: set[int] = set()
        for entry in entries.iterator(chunk_size=2000):
            relevant.add(entry.seq)
            touched = {
                *(i.pk for i in blob_items.get(entry.blob_id or 0, [])),
                *(i.pk for i in code_items.get(entry.object_code, [])),
            }
            for pk in touched:
                refs[pk].append(entry)
        return refs, relevant

    def write_ledger(self, archive: zipfile.ZipFile, relevant: set[int]) -> dict[str, Any]:
        """Entries about the packet in full; the ones between them by their hashes only, so
        the chain can be followed without disclosing unrelated records."""
        path = "ledger/excerpt.jsonl"
        writer = ZipMemberWriter(archive, path, date_time=self.now)
        first, last = (min(relevant), max(relevant)) if relevant else (0, -1)
        label_code = str(self.label.code)
        entries = (
            LedgerEntry.objects.for_label(self.label)
            .filter(seq__gte=first, seq__lte=last)
            .order_by("seq")
            .iterator(chunk_size=2000)
        )
        count = 0
        for entry in entries:
            line: dict[str, Any] = {
                "seq": entry.seq,
                "prev_hash": entry.prev_hash,
                "entry_hash": entry.entry_hash,
            }
            if entry.seq in relevant:
                line["record"] = entry_record(entry, label_code=label_code)
            else:
                line["redacted"] = True
            writer.write(canonical_json(line) + b"\n")
            count += 1
        digest = writer.close()
        self.add(_Member(path, digest.size, digest.sha256, "ledger"))
        return {
            "path": path,
            "first_seq": first if relevant else None,
            "last_seq": last if relevant else None,
            "entries": count,
            "full_records": len(relevant),
            "hash_recipe": "entry_hash = SHA-256(canonical_json(record) || prev_hash)",
        }

    # the rest -----------------------------------------------------------------------------

    def index_pdf(self, rows: list[dict[str, Any]], language: str) -> bytes:
        # The index says its times are UTC, whatever the deployment's time zone.
        with translation.override(language), timezone.override(UTC):
            html = render_to_string(
                "evidence/pdf/packet_index.html",
                {
                    "packet": self.packet,
                    "matter": self.matter,
                    "label": self.label,
                    "rows": rows,
                    "built_at": self.now,
                },
            )
        try:
            return render_pdf(html).pdf
        except PdfRenderError as exc:
            raise JobFailure(f"The PDF index could not be rendered: {exc}") from None

    def readme(self, language: str) -> bytes:
        with translation.override(language):
            text = render_to_string(
                "evidence/packet_readme.txt",
                {
                    "packet": self.packet,
                    "matter": self.matter,
                    "label": self.label,
                    "built_at": self.now,
                    "terms_url": settings.OPTOUT_BASE_URL
                    + reverse("signals:terms", args=[self.label.slug]),
                },
            )
        return text.encode("utf-8")

    def manifest(self, ledger: dict[str, Any]) -> bytes:
        matter = self.matter
        body = {
            "format": verifier.FORMAT,
            "packet": str(self.packet.code),
            "built_at": utc_iso(self.now),
            "built_by": self.packet.created_by.email if self.packet.created_by else "",
            "software": _software(),
            "hash_algorithm": "sha256",
            "label": {
                "id": str(self.label.code),
                "name": self.label.name,
                "legal_name": self.label.legal_name,
            },
            "matter": {
                "id": str(matter.code),
                "title": matter.title,
                "status": matter.status,
                "summary": matter.summary,
                "target": {
                    "platform": matter.target_platform,
                    "url": matter.target_url,
                    "company": matter.target_company,
                },
                "territory": matter.territory,
                "legal_hold": matter.legal_hold,
                "recordings": sorted(str(r.code) for r in matter.recordings.all()),
                "works": sorted(str(w.code) for w in matter.works.all()),
            },
            "ledger": ledger,
            "members": [m.manifest_entry() for m in self.members],
        }
        return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()

    def write_sums(self, archive: zipfile.ZipFile) -> None:
        lines = "".join(f"{digest}  {path}\n" for path, digest in sorted(self.sums.items()))
        zip_write_bytes(archive, verifier.SUMS, lines.encode("ascii"), date_time=self.now)


def open_zip_for_writing(path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(path, "w", allowZip64=True)


def tsa_certificates_pem(label: Label) -> bytes:
    return (evidence_settings(label=label).tsa_certificates.strip() + "\n").encode("ascii")


def _block(packet: Packet, reason: str, blob: Blob | None = None) -> None:
    with transaction.atomic():
        Packet.objects.for_label(packet.label).filter(pk=packet.pk).update(
            status=Packet.Status.FAILED, error=reason
        )
        ledger_append(
            label=packet.label,
            actor=None,
            action="packet.blocked",
            subject=packet,
            data={"matter": str(packet.matter.code), "reason": reason},
        )
        alert_raise(
            label=packet.label,
            kind=Alert.Kind.PACKET_BLOCKED,
            key=f"packet:{packet.code}",
            message=reason,
            subject=packet.matter,
        )


def packet_build(*, packet: Packet, report: Any, language: str = "en") -> Packet:
    """Build the packet's ZIP (the body of the packet job). Idempotent once built."""
    if packet.status != Packet.Status.BUILDING:
        return packet
    builder = _Builder(packet, report)
    items = list(
        matter_items(matter=packet.matter, include_withdrawn=False).select_related(
            "blob", "timestamp_blob", "added_by"
        )
    )
    if not items:
        raise JobFailure(_("The matter has no items."))
    fd, name = tempfile.mkstemp(prefix="packet-", suffix=".zip", dir=temp_dir())
    os.close(fd)
    path = Path(name)
    try:
        with open_zip_for_writing(path) as archive:
            refs, relevant = builder.ledger_refs(items)
            try:
                rows = builder.add_items(archive, items, refs)
            except PacketBlocked as exc:
                _block(packet, str(exc))
                raise JobFailure(str(exc)) from None
            report(78, "Writing the ledger excerpt")
            ledger = builder.write_ledger(archive, relevant)
            report(82, "Rendering the PDF index")
            builder.write_bytes(archive, "index.pdf", builder.index_pdf(rows, language), "index")
            builder.write_bytes(archive, "verify.py", VERIFIER_SOURCE.read_bytes(), "verifier")
            builder.write_bytes(archive, "README.txt", builder.readme(language), "readme")
            manifest = builder.manifest(ledger)
            zip_write_bytes(archive, verifier.MANIFEST, manifest, date_time=builder.now)
            builder.sums[verifier.MANIFEST] = sha256_bytes(manifest)
            report(88, "Timestamping the manifest")
            seal, stamp = _stamp_inline(builder, archive, manifest)
            builder.write_sums(archive)
        report(95, "Storing the packet")
        blob = blob_store_file(
            label=packet.label, path=path, actor=packet.created_by, media_type="application/zip"
        )
    finally:
        path.unlink(missing_ok=True)
    with transaction.atomic():
        Packet.objects.for_label(packet.label).filter(pk=packet.pk).update(
            status=Packet.Status.READY,
            seal=seal,
            blob=blob,
            manifest_sha256=sha256_bytes(manifest),
            item_count=len(items),
            member_count=len(builder.sums) + 1,
            built_at=builder.now,
            error="",
        )
        packet.refresh_from_db()
        ledger_append(
            label=packet.label,
            actor=packet.created_by,
            action="packet.built",
            subject=packet,
            blob=blob,
            data={
                "matter": str(packet.matter.code),
                "manifest_sha256": packet.manifest_sha256,
                "items": len(items),
                "members": packet.member_count,
                "seal": seal,
            },
        )
        if stamp is not None and seal == Packet.Seal.PENDING:
            timestamp_retry_later(stamp=stamp)
        # The ledger's head, now naming this packet, is timestamped too (docs/custody.md).
        ledger_anchor_request(label=packet.label, actor=packet.created_by)
    return packet


def _stamp_inline(
    builder: _Builder, archive: zipfile.ZipFile, manifest: bytes
) -> tuple[str, Timestamp | None]:
    """First try at the manifest's timestamp; when the TSA fails, a job keeps trying."""
    stamp = timestamp_prepare(
        label=builder.label, subject=builder.packet, data=manifest, actor=builder.packet.created_by
    )
    if stamp is None:
        return Packet.Seal.NONE, None
    if not timestamp_attempt(stamp=stamp, data=manifest):
        return Packet.Seal.PENDING, stamp
    stamp.refresh_from_db()
    assert stamp.token is not None
    builder.copy_blob(archive, verifier.TIMESTAMP_TOKEN, stamp.token, _("the manifest's timestamp"))
    builder.sums[verifier.TIMESTAMP_TOKEN] = stamp.token.sha256
    # Written after the manifest, so SHA256SUMS covers these two and the manifest does not.
    pem = tsa_certificates_pem(builder.label)
    zip_write_bytes(archive, verifier.TIMESTAMP_CERTS, pem, date_time=builder.now)
    builder.sums[verifier.TIMESTAMP_CERTS] = sha256_bytes(pem)
    return Packet.Seal.SEALED, stamp
