"""Sealing a built packet with a timestamp that arrived after the build."""

from __future__ import annotations

import os
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from evidence import verifier
from evidence.models import Alert, Packet, Timestamp
from evidence.services.alerts import alert_raise
from evidence.services.packets.builder import open_zip_for_writing, tsa_certificates_pem
from evidence.services.timestamps import (
    TimestampSubject,
    register_timestamp_subject,
)
from optout.jobs import JobFailure
from optout.lib.archive import (
    zip_write_bytes,
    zip_write_stream,
)
from optout.lib.hashing import sha256_bytes
from optout.lib.tempfiles import temp_dir
from optout.services.blobs import (
    blob_local_path,
    blob_open,
    blob_store_file,
)
from optout.services.ledger import ledger_append

# --- sealing later: a timestamp that arrived after the packet was built --------------------


def _packet_of(stamp: Timestamp) -> Packet:
    packet: Packet = (
        Packet.objects.for_label(stamp.label)
        .select_related("blob", "matter", "label", "created_by")
        .get(code=stamp.subject_code)
    )
    return packet


def _manifest_of(stamp: Timestamp) -> bytes:
    packet = _packet_of(stamp)
    if packet.blob is None:
        raise JobFailure("The packet has no file to timestamp.")
    with blob_local_path(packet.blob) as path, zipfile.ZipFile(path) as archive:
        return archive.read(verifier.MANIFEST)


def packet_seal(*, packet: Packet, stamp: Timestamp) -> Packet:
    """Add a verified timestamp to a built packet: a new ZIP with the same members, the token,
    the trusted certificates and a new SHA256SUMS. The manifest, and so its hash, is unchanged."""
    if packet.seal == Packet.Seal.SEALED or packet.blob is None:
        return packet
    if stamp.status != Timestamp.Status.STAMPED or stamp.token is None:
        raise ValueError("Only a verified timestamp can seal a packet.")
    now = timezone.now()
    fd, name = tempfile.mkstemp(prefix="packet-", suffix=".zip", dir=temp_dir())
    os.close(fd)
    target = Path(name)
    try:
        with blob_local_path(packet.blob) as source_path, zipfile.ZipFile(source_path) as old:
            sums = {}
            for line in old.read(verifier.SUMS).decode("ascii").splitlines():
                recorded, _sep, member = line.partition("  ")
                sums[member] = recorded
            with open_zip_for_writing(target) as new:
                for info in old.infolist():
                    if info.filename == verifier.SUMS:
                        continue
                    with old.open(info) as member_source:
                        digest = zip_write_stream(
                            new,
                            info.filename,
                            member_source,
                            date_time=datetime(*info.date_time),  # noqa: DTZ001  (ZIP times are naive)
                            compress=info.compress_type == zipfile.ZIP_DEFLATED,
                        )
                    if sums.get(info.filename) != digest.sha256:
                        reason = (
                            f"The stored packet {packet.code} changed since it was built "
                            f"({info.filename}); it was not sealed."
                        )
                        alert_raise(
                            label=packet.label,
                            kind=Alert.Kind.BLOB_CHANGED,
                            key=f"packet-file:{packet.code}",
                            message=reason,
                            blob=packet.blob,
                            subject=packet,
                        )
                        raise JobFailure(reason)
                with blob_open(stamp.token) as token:
                    digest = zip_write_stream(new, verifier.TIMESTAMP_TOKEN, token, date_time=now)
                sums[verifier.TIMESTAMP_TOKEN] = digest.sha256
                pem = tsa_certificates_pem(packet.label)
                zip_write_bytes(new, verifier.TIMESTAMP_CERTS, pem, date_time=now)
                sums[verifier.TIMESTAMP_CERTS] = sha256_bytes(pem)
                lines = "".join(f"{d}  {p}\n" for p, d in sorted(sums.items()))
                zip_write_bytes(new, verifier.SUMS, lines.encode("ascii"), date_time=now)
        blob = blob_store_file(
            label=packet.label, path=target, actor=None, media_type="application/zip"
        )
    finally:
        target.unlink(missing_ok=True)
    with transaction.atomic():
        Packet.objects.for_label(packet.label).filter(pk=packet.pk).update(
            blob=blob, seal=Packet.Seal.SEALED, member_count=len(sums) + 1
        )
        ledger_append(
            label=packet.label,
            actor=None,
            action="packet.sealed",
            subject=packet,
            blob=blob,
            data={
                "manifest_sha256": packet.manifest_sha256,
                "timestamp": str(stamp.code),
                "previous_sha256": packet.blob.sha256,
            },
        )
    packet.refresh_from_db()
    return packet


def _on_stamped(stamp: Timestamp) -> None:
    packet_seal(packet=_packet_of(stamp), stamp=stamp)


def _on_failed(stamp: Timestamp) -> None:
    Packet.objects.for_label(stamp.label).filter(
        code=stamp.subject_code, seal=Packet.Seal.PENDING
    ).update(seal=Packet.Seal.FAILED)


register_timestamp_subject(
    "evidence.packet",
    TimestampSubject(load=_manifest_of, on_stamped=_on_stamped, on_failed=_on_failed),
)
