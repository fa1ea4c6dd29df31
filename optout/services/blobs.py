"""The blob store: content-addressed, write-once file storage for every label."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models, transaction
from django.http import FileResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

from optout.lib.files import as_download, attachment_header
from optout.lib.hashing import HEAD_SIZE, Digest, copy_and_hash
from optout.lib.mediatype import sniff
from optout.lib.tempfiles import temp_dir
from optout.models import Blob, Label, User, blob_storage_name
from optout.services.ledger import ledger_append
from optout.uploads import HashedUploadedFile


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
    download is a custody event in the ledger.
    """
    disposition = attachment_header(filename)
    if log:
        ledger_append(
            label=blob.label,
            actor=actor,
            action="blob.downloaded",
            subject=subject or blob,
            blob=blob,
            data={"filename": filename[:200], **(extra or {})},
        )
    if settings.OPTOUT_STORAGE == "s3":
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
    response = FileResponse(
        default_storage.open(blob.storage_name, "rb"),
        content_type=blob.media_type,
    )
    response["Content-Length"] = str(blob.size)
    as_download(response, filename)
    return response
