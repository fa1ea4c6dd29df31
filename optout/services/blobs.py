"""The blob store: content-addressed, write-once file storage for every label."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models, transaction
from django.http import FileResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from optout.lib.files import as_download, attachment_header
from optout.lib.hashing import CHUNK_SIZE, HEAD_SIZE, Digest, copy_and_hash
from optout.lib.mediatype import sniff
from optout.lib.tempfiles import temp_dir
from optout.models import Blob, Label, User, blob_storage_name
from optout.services.ledger import ledger_append
from optout.uploads import HashedUploadedFile

logger = logging.getLogger(__name__)

# Files below this size are hashed in full before the first byte goes out; larger ones are
# hashed while they stream, and the last chunk is held back until the hash is known.
VERIFY_BEFORE_SENDING = 8 * 1024 * 1024

# Called with (blob, sha256 found) when a download finds stored bytes that are not the blob's;
# the evidence app registers one that raises an alert (a lower layer cannot import it).
IntegrityListener = Callable[[Blob, str], None]
_INTEGRITY_LISTENERS: list[IntegrityListener] = []


def register_integrity_listener(listener: IntegrityListener) -> None:
    if listener not in _INTEGRITY_LISTENERS:
        _INTEGRITY_LISTENERS.append(listener)


class BlobIntegrityError(Exception):
    """The stored bytes of a blob no longer hash to its SHA-256: they are never served."""

    def __init__(self, blob: Blob) -> None:
        super().__init__(
            _("This file failed its integrity check: the stored copy is not the file received.")
        )
        self.blob = blob


class _MovableFile(File):  # type: ignore[type-arg]
    """A file on local disk that FileSystemStorage may move into place instead of copying."""

    def __init__(self, path: Path) -> None:
        super().__init__(open(path, "rb"))  # noqa: SIM115
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)


def _put(path: Path, digest: Digest) -> None:
    """Put the bytes at ``path`` into storage under their digest; consumes ``path``."""
    name = blob_storage_name(digest.sha256)
    try:
        if default_storage.exists(name):
            return
        movable = _MovableFile(path)
        try:
            default_storage.save(name, movable)
        finally:
            movable.close()
    finally:
        path.unlink(missing_ok=True)


def _register(*, label: Label, digest: Digest, actor: User | None, media_type: str | None) -> Blob:
    with transaction.atomic():
        found: tuple[Blob, bool] = Blob.objects.for_label(label).get_or_create(
            label=label,
            sha256=digest.sha256,
            defaults={
                "size": digest.size,
                "media_type": media_type or sniff(digest.head),
                "created_by": actor,
            },
        )
        blob, created = found
        if created:
            ledger_append(
                label=label,
                actor=actor,
                action="blob.stored",
                subject=blob,
                blob=blob,
                data={"size": blob.size, "media_type": blob.media_type},
            )
    return blob


def blob_store(
    *,
    label: Label,
    source: BinaryIO | IO[bytes],
    actor: User | None,
    max_bytes: int | None = None,
    media_type: str | None = None,
) -> Blob:
    """Store a stream: one pass copies it to a temporary file and hashes it."""
    fd, name = tempfile.mkstemp(prefix="blob-", suffix=".part", dir=temp_dir())
    path = Path(name)
    try:
        with os.fdopen(fd, "wb", buffering=0) as target:
            digest = copy_and_hash(source, target, max_bytes=max_bytes)
        _put(path, digest)
    finally:
        path.unlink(missing_ok=True)
    return _register(label=label, digest=digest, actor=actor, media_type=media_type)


def blob_store_bytes(
    *, label: Label, data: bytes, actor: User | None, media_type: str | None = None
) -> Blob:
    return blob_store(label=label, source=io.BytesIO(data), actor=actor, media_type=media_type)


def blob_store_upload(*, label: Label, upload: HashedUploadedFile, actor: User | None) -> Blob:
    """Store an upload that was hashed while it arrived (see ``optout.uploads``)."""
    path = Path(upload.temporary_file_path())
    digest = upload.digest
    if upload.file is not None:
        upload.file.close()
    _put(path, digest)
    return _register(label=label, digest=digest, actor=actor, media_type=None)


def blob_store_hashed(
    *, label: Label, path: Path, sha256: str, size: int, actor: User | None
) -> Blob:
    """Store a file whose SHA-256 and size the caller already knows; ``path`` is consumed.

    Only the head is read (to sniff the media type), never the whole file again.
    """
    with open(path, "rb") as handle:
        head = handle.read(HEAD_SIZE)
    digest = Digest(sha256=sha256, size=size, head=head)
    _put(path, digest)
    return _register(label=label, digest=digest, actor=actor, media_type=None)


def blob_store_file(
    *, label: Label, path: Path, actor: User | None, media_type: str | None = None
) -> Blob:
    """Store a file a worker produced; the file is consumed (moved or deleted)."""
    with open(path, "rb", buffering=0) as handle:
        digest = copy_and_hash(handle, None)
    _put(path, digest)
    return _register(label=label, digest=digest, actor=actor, media_type=media_type)


@contextmanager
def blob_open(blob: Blob) -> Iterator[IO[bytes]]:
    with default_storage.open(blob.storage_name, "rb") as handle:
        yield handle


@contextmanager
def blob_local_path(blob: Blob) -> Iterator[Path]:
    """A path on local disk holding the blob's bytes, for tools that need a file name.

    On local storage it is the stored file itself, which callers must never write to; on
    object storage it is a temporary copy removed afterwards.
    """
    if isinstance(default_storage, FileSystemStorage):
        yield Path(default_storage.path(blob.storage_name))
        return
    fd, name = tempfile.mkstemp(prefix="blob-", dir=temp_dir())
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as target, blob_open(blob) as source:
            copy_and_hash(source, target)
        path.chmod(0o400)
        yield path
    finally:
        path.unlink(missing_ok=True)


def blob_verify(*, blob: Blob) -> str | None:
    """Re-hash the stored bytes: the SHA-256 found, or None when the file is missing."""
    try:
        with blob_open(blob) as handle:
            return copy_and_hash(handle, None).sha256
    except (FileNotFoundError, OSError):
        return None


def blob_integrity_failed(*, blob: Blob, found: str) -> None:
    """Record that the stored bytes of ``blob`` hash to ``found``: ledger, log, listeners."""
    logger.error(
        "Integrity failure on download: blob %s of %s now hashes to %s",
        blob.sha256,
        blob.label.slug,
        found,
    )
    ledger_append(
        label=blob.label,
        actor=None,
        action="blob.integrity_failed",
        subject=blob,
        blob=blob,
        data={"found_sha256": found},
    )
    for listener in _INTEGRITY_LISTENERS:
        try:
            listener(blob, found)
        except Exception:
            # The refusal to serve matters more than the alert: never let a listener undo it.
            logger.exception("Integrity listener failed for blob %s", blob.sha256)


def _verified_bytes(blob: Blob) -> bytes:
    """The whole (small) file, read once and hashed before anything is sent."""
    with blob_open(blob) as handle:
        data = handle.read(blob.size + 1)
    found = hashlib.sha256(data).hexdigest()
    if found != blob.sha256:
        blob_integrity_failed(blob=blob, found=found)
        raise BlobIntegrityError(blob)
    return data


def _verified_stream(blob: Blob) -> Iterator[bytes]:
    """The file in chunks, hashed as they go; the last chunk is sent only if the hash matches.

    The headers (with the full ``Content-Length``) are out by then, so on a mismatch the
    response ends early with an error: the client gets a short, failed download, never a
    complete file.
    """
    sha = hashlib.sha256()
    with blob_open(blob) as handle:
        held = handle.read(CHUNK_SIZE)
        sha.update(held)
        while True:
            chunk = handle.read(CHUNK_SIZE)
            if not chunk:
                break
            sha.update(chunk)
            yield held
            held = chunk
    found = sha.hexdigest()
    if found != blob.sha256:
        blob_integrity_failed(blob=blob, found=found)
        raise BlobIntegrityError(blob)
    yield held


def blob_download_response(
    *,
    blob: Blob,
    filename: str,
    actor: User | None,
    subject: models.Model | None = None,
    log: bool = True,
    extra: dict[str, Any] | None = None,
) -> HttpResponseBase:
    """An authorised download, always as an attachment (never rendered on our origin).

    The caller has already checked the actor's right to this blob. With ``log`` the
    download is a custody event in the ledger. On local storage the bytes are checked
    against the blob's SHA-256 as they are served (``BlobIntegrityError`` before sending for
    small files; an aborted stream for large ones). Signed URLs on object storage are served
    by the bucket and cannot be checked here: the scheduled integrity check covers them.
    """
    disposition = attachment_header(filename)
    local = settings.OPTOUT_STORAGE != "s3"
    small = _verified_bytes(blob) if local and blob.size < VERIFY_BEFORE_SENDING else None
    if log:
        ledger_append(
            label=blob.label,
            actor=actor,
            action="blob.downloaded",
            subject=subject or blob,
            blob=blob,
            data={"filename": filename[:200], **(extra or {})},
        )
    if not local:
        # Object storage serves the bytes through a short-lived signed URL (15 minutes).
        # S3Storage.url takes response parameters; the base Storage signature does not.
        url = default_storage.url(  # type: ignore[call-arg]
            blob.storage_name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": blob.media_type,
            },
        )
        return HttpResponseRedirect(url)
    response: HttpResponseBase
    if small is not None:
        response = FileResponse(io.BytesIO(small), content_type=blob.media_type)
    else:
        response = StreamingHttpResponse(_verified_stream(blob), content_type=blob.media_type)
    response["Content-Length"] = str(blob.size)
    as_download(response, filename)
    return response
