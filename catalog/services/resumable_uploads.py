"""Resumable master uploads: a multi-GB file sent in pieces that survives a lost connection.

The client declares the file (recording, name, size), then sends pieces in order, each at
the offset the server has durably received (``PUT`` with ``Upload-Offset``); after a lost
connection it asks for that offset and goes on from there. A piece is written, flushed to
disk and counted in one transaction that holds the upload's row, so two clients cannot
interleave and a crash never counts bytes that are not on disk. A piece that arrives
incomplete, or whose optional SHA-256 does not match, is cut off again and must be resent.

The first 64 KiB are sniffed as soon as they are in, so a file that is not audio is refused
before gigabytes follow. The file's SHA-256 grows piece by piece as the bytes are written;
when the last byte is in, the file and its digest go to
:func:`catalog.services.masters.master_upload`, the same path as a one-request upload.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Master, Recording, ResumableUpload
from catalog.services.masters import MasterUploadError, audio_format, clean_name, master_upload
from optout.lib.hashing import CHUNK_SIZE, sha256_file
from optout.lib.tempfiles import temp_dir
from optout.models import Label, User
from optout.uploads import size_limit_message

logger = logging.getLogger(__name__)

SNIFF_BYTES = 64 * 1024


class RequestBody(Protocol):
    """What a WSGI request offers to read its body (``read``, not ``readinto``)."""

    def read(self, size: int = -1, /) -> bytes: ...


class UploadOffsetMismatch(ValueError):
    """The piece was sent for another offset than the one the server holds."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


class UploadClosed(ValueError):
    """The upload no longer takes pieces (received, refused, cancelled or expired)."""

    def __init__(self, upload: ResumableUpload) -> None:
        super().__init__(upload.status)
        self.upload = upload


class UploadRefused(MasterUploadError):
    """The file itself was refused; the upload is closed (``upload.status`` is failed)."""

    def __init__(self, upload: ResumableUpload, error: MasterUploadError) -> None:
        super().__init__(error.message, code=error.code, field=error.field)
        self.upload = upload


def _path(upload: ResumableUpload) -> Path:
    folder = temp_dir() / "resumable"
    folder.mkdir(parents=True, exist_ok=True)
    # Server-made name: nothing of the client's file name reaches the file system.
    return folder / f"{upload.code}.part"


def upload_expires_at(upload: ResumableUpload) -> datetime:
    return upload.updated_at + timedelta(hours=settings.OPTOUT_UPLOAD_RESUME_HOURS)


def resumable_upload_start(
    *, label: Label, recording: Recording, filename: str, size: int, actor: User | None
) -> ResumableUpload:
    if recording.label_id != label.pk:
        raise MasterUploadError(
            _("No recording with this ID in this label."), code="not_found", field="recording"
        )
    if size <= 0:
        raise MasterUploadError(_("The file is empty."), code="empty", field="size")
    if size > settings.OPTOUT_UPLOAD_MAX_BYTES:
        raise MasterUploadError(size_limit_message(), code="too_large", field="size")
    upload: ResumableUpload = ResumableUpload.objects.create(
        label=label,
        recording=recording,
        filename=clean_name(filename),
        size=size,
        created_by=actor,
    )
    _path(upload).touch()
    return upload


def _refuse(upload: ResumableUpload, error: MasterUploadError) -> None:
    upload.status = ResumableUpload.Status.FAILED
    upload.error = error.message
    upload.save(update_fields=["status", "error", "updated_at"])
    _path(upload).unlink(missing_ok=True)


def _write_piece(
    path: Path,
    *,
    offset: int,
    length: int,
    stream: RequestBody,
    checksum: bytes | None,
    running: Any | None,
) -> None:
    """Write ``length`` bytes of ``stream`` at ``offset`` and make them durable, or cut the
    file back to ``offset`` and raise MasterUploadError. ``running`` (a SHA-256 of the file
    so far) takes in the piece's bytes as they are written."""
    hasher = hashlib.sha256() if checksum is not None else None
    with open(path, "r+b", buffering=0) as handle:
        handle.seek(offset)
        left = length
        try:
            while left:
                piece = stream.read(min(CHUNK_SIZE, left))
                if not piece:
                    break
                handle.write(piece)
                if hasher is not None:
                    hasher.update(piece)
                if running is not None:
                    running.update(piece)
                left -= len(piece)
        except OSError:
            left = -1  # the connection broke while reading
        problem = None
        if left:
            problem = MasterUploadError(
                _("The piece arrived incomplete; send it again from the same offset."),
                code="incomplete",
            )
        elif hasher is not None and hasher.digest() != checksum:
            problem = MasterUploadError(
                _("The piece's SHA-256 does not match Upload-Checksum; send it again."),
                code="checksum_mismatch",
            )
        end = offset if problem else offset + length
        # Whatever lies past the piece (one cut off earlier, or this one refused) goes.
        if os.fstat(handle.fileno()).st_size > end:
            handle.truncate(end)
        os.fsync(handle.fileno())
    if problem is not None:
        raise problem


def resumable_upload_append(
    *,
    upload: ResumableUpload,
    offset: int,
    length: int,
    stream: RequestBody,
    checksum: bytes | None = None,
) -> ResumableUpload:
    """Append one piece; when it is the last, the master is made (``upload.master``).

    Raises UploadOffsetMismatch (the offset to resume from), UploadClosed, or
    MasterUploadError (the piece or the file is refused, with a code).
    """
    refused: MasterUploadError | None = None
    with transaction.atomic():
        locked: ResumableUpload = (
            ResumableUpload.objects.for_label(upload.label)
            .select_for_update(of=("self",))
            .select_related("recording", "created_by")
            .get(pk=upload.pk)
        )
        if locked.status != ResumableUpload.Status.OPEN:
            raise UploadClosed(locked)
        if offset != locked.received:
            raise UploadOffsetMismatch(locked.received)
        if length <= 0 or length > settings.OPTOUT_UPLOAD_MAX_CHUNK_BYTES:
            raise MasterUploadError(
                _("Send pieces of 1 byte to %(max)s bytes.")
                % {"max": settings.OPTOUT_UPLOAD_MAX_CHUNK_BYTES},
                code="bad_piece",
            )
        if offset + length > locked.size:
            raise MasterUploadError(
                _("The piece goes past the declared size of %(size)s bytes.")
                % {"size": locked.size},
                code="too_large",
            )
        path = _path(locked)
        if not path.exists():
            # The part file went (a cleaned temporary folder, another web host's disk).
            refused = MasterUploadError(
                _("The part of this upload kept on the server is gone; start the upload again."),
                code="part_lost",
            )
        else:
            running = _running_hash(locked, offset=offset)
            # A piece that arrives broken raises here and leaves the upload open.
            _write_piece(
                path,
                offset=offset,
                length=length,
                stream=stream,
                checksum=checksum,
                running=running,
            )
            before, locked.received = locked.received, offset + length
            locked.save(update_fields=["received", "updated_at"])
            _keep_running_hash(locked, running)
            threshold = min(SNIFF_BYTES, locked.size)
            try:
                if before < threshold <= locked.received:
                    audio_format(path, locked.size)
                if locked.received == locked.size:
                    locked.master = _finish(locked, path, running=running)
                    locked.status = ResumableUpload.Status.DONE
                    locked.save(update_fields=["master", "status", "updated_at"])
            except MasterUploadError as error:
                refused = error
        if refused is not None:
            # Recorded, not rolled back: the client must learn the upload is closed.
            _refuse(locked, refused)
    if refused is not None:
        raise UploadRefused(locked, refused)
    return locked


def _finish(upload: ResumableUpload, path: Path, *, running: Any | None) -> Master:
    # The running hash took in every byte as it was written, so it is the file's SHA-256
    # without reading gigabytes again. When this process did not receive every piece (no
    # running hash), the file is read once here. Either way the processing job re-hashes
    # the stored bytes and flags the master if they differ from this digest.
    sha256 = running.hexdigest() if running is not None else sha256_file(path).sha256
    return master_upload(
        label=upload.label,
        recording=upload.recording,
        path=path,
        sha256=sha256,
        size=upload.size,
        original_name=upload.filename,
        actor=upload.created_by,
    )


# The SHA-256 of each upload's bytes so far, kept by the process that received them, as
# ``(offset, hash)``. A hash state cannot be stored in the database or sent to another
# process, so it lives here: when a piece goes to another process (another web worker or
# host), the state left here no longer matches the offset and is not used again; the
# upload then ends with one read of the whole file in ``_finish``. A state is only kept
# once the transaction that counted its bytes committed, and bytes below the committed
# offset never change, so a state whose offset equals the upload's describes its bytes.
_RUNNING: OrderedDict[int, tuple[int, Any]] = OrderedDict()
_RUNNING_LOCK = threading.Lock()
_RUNNING_MAX = 256


def _running_hash(upload: ResumableUpload, *, offset: int) -> Any | None:
    """A SHA-256 of the upload's first ``offset`` bytes, or None when this process has none."""
    with _RUNNING_LOCK:
        kept = _RUNNING.get(upload.pk)
    if offset == 0:
        return hashlib.sha256()
    if kept is None or kept[0] != offset:
        return None
    # A copy: the kept state stays valid if this piece is refused or rolled back.
    return kept[1].copy()


def _keep_running_hash(upload: ResumableUpload, running: Any | None) -> None:
    if running is None:
        return
    entry = (upload.received, running)

    def keep() -> None:
        with _RUNNING_LOCK:
            if upload.received >= upload.size:
                _RUNNING.pop(upload.pk, None)
                return
            _RUNNING[upload.pk] = entry
            _RUNNING.move_to_end(upload.pk)
            while len(_RUNNING) > _RUNNING_MAX:
                _RUNNING.popitem(last=False)

    transaction.on_commit(keep)


def resumable_upload_abort(*, upload: ResumableUpload) -> None:
    with transaction.atomic():
        updated = (
            ResumableUpload.objects.for_label(upload.label)
            .filter(pk=upload.pk, status=ResumableUpload.Status.OPEN)
            .update(status=ResumableUpload.Status.ABORTED, updated_at=timezone.now())
        )
    if updated:
        _path(upload).unlink(missing_ok=True)


def resumable_uploads_expire(*, now: datetime | None = None) -> int:
    """Close uploads that have not moved for OPTOUT_UPLOAD_RESUME_HOURS and free their disk.

    System code: every label's uploads.
    """
    cutoff = (now or timezone.now()) - timedelta(hours=settings.OPTOUT_UPLOAD_RESUME_HOURS)
    stale = list(
        ResumableUpload.objects.unscoped().filter(
            status=ResumableUpload.Status.OPEN, updated_at__lt=cutoff
        )
    )
    for upload in stale:
        closed = (
            ResumableUpload.objects.unscoped()
            .filter(pk=upload.pk, status=ResumableUpload.Status.OPEN, updated_at__lt=cutoff)
            .update(status=ResumableUpload.Status.EXPIRED)
        )
        if closed:
            _path(upload).unlink(missing_ok=True)
    orphans = _remove_orphan_parts(older_than=cutoff)
    if stale or orphans:
        logger.info(
            "Expired %d resumable uploads, removed %d orphan part files", len(stale), orphans
        )
    return len(stale)


def _remove_orphan_parts(*, older_than: datetime) -> int:
    """Part files whose upload is gone (its recording was deleted) or closed, left behind."""
    folder = temp_dir() / "resumable"
    if not folder.is_dir():
        return 0
    candidates = {}
    for part in folder.glob("*.part"):
        modified = datetime.fromtimestamp(part.stat().st_mtime, tz=older_than.tzinfo)
        if modified < older_than:
            candidates[part.stem] = part
    open_codes = {
        str(code)
        for code in ResumableUpload.objects.unscoped()
        .filter(status=ResumableUpload.Status.OPEN, code__in=_valid_uuids(candidates))
        .values_list("code", flat=True)
    }
    removed = 0
    for stem, part in candidates.items():
        if stem not in open_codes:
            part.unlink(missing_ok=True)
            removed += 1
    return removed


def _valid_uuids(stems: Iterable[str]) -> list[uuid.UUID]:
    found = []
    for stem in stems:
        try:
            found.append(uuid.UUID(stem))
        except ValueError:
            continue
    return found
