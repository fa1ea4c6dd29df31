"""Receiving uploads in one pass: each chunk is written to a temporary file and hashed.

Django's default handlers write an upload to disk and the blob store would then read it
again to hash it; at multi-gigabyte sizes that second pass costs as much as the first.
``HashingUploadHandler`` replaces them for views that accept files.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, QueryDict
from django.http.response import HttpResponseBase
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from optout.lib.hashing import CHUNK_SIZE, Digest, StreamHasher, TooLarge
from optout.lib.sizes import size_display
from optout.lib.tempfiles import temp_dir

UPLOAD_ERROR_ATTR = "optout_upload_error"
# Room for the form fields and part headers around the file in a multipart body.
MULTIPART_ALLOWANCE = 1024 * 1024
UPLOAD_METHODS = frozenset({"POST", "PUT", "PATCH"})


def size_limit_message() -> str:
    return _("The file is larger than the limit of %(size)s.") % {
        "size": size_display(settings.OPTOUT_UPLOAD_MAX_BYTES)
    }


def declared_too_large(request: HttpRequest) -> bool:
    """The body announces more than any accepted upload: refuse before reading it."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return declared > settings.OPTOUT_UPLOAD_MAX_BYTES + MULTIPART_ALLOWANCE


class HashedUploadedFile(UploadedFile):
    """An upload on disk with the SHA-256, size and head computed while it arrived."""

    def __init__(
        self, *, path: Path, name: str, content_type: str, digest: Digest, charset: str | None
    ) -> None:
        super().__init__(
            open(path, "rb"),  # noqa: SIM115  (the UploadedFile owns and closes it)
            name,
            content_type,
            digest.size,
            charset,
        )
        self._path = path
        self.digest = digest

    def temporary_file_path(self) -> str:
        return str(self._path)

    def close(self) -> None:
        try:
            super().close()
        finally:
            # The blob store moves the file away; anything left is an abandoned upload.
            self._path.unlink(missing_ok=True)


class HashingUploadHandler(FileUploadHandler):
    chunk_size = CHUNK_SIZE

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.max_bytes = int(settings.OPTOUT_UPLOAD_MAX_BYTES)
        self._file: Any = None
        self._path: Path | None = None
        self._hasher: StreamHasher | None = None

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        if content_length and content_length > self.max_bytes + 1024 * 1024:
            self._reject(f"The upload is larger than the limit of {self.max_bytes} bytes.")

    def _reject(self, message: str) -> None:
        if self.request is not None:
            setattr(self.request, UPLOAD_ERROR_ATTR, message)

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.request is not None and getattr(self.request, UPLOAD_ERROR_ATTR, None):
            raise SkipFile
        fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=temp_dir())
        self._file = os.fdopen(fd, "wb", buffering=0)
        self._path = Path(name)
        self._hasher = StreamHasher(max_bytes=self.max_bytes, threaded=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        assert self._hasher is not None and self._file is not None
        try:
            self._hasher.update(raw_data)
        except TooLarge:
            self._discard()
            self._reject(size_limit_message())
            raise SkipFile from None
        self._file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self._file is None or self._hasher is None or self._path is None:
            return None
        self._file.close()
        self._file = None
        return HashedUploadedFile(
            path=self._path,
            name=self.file_name or "upload",
            content_type=self.content_type or "application/octet-stream",
            digest=self._hasher.digest(),
            charset=self.charset,
        )

    def upload_interrupted(self) -> None:
        self._discard()

    def _discard(self) -> None:
        if self._hasher is not None:
            self._hasher.close()
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None


def use_hashing_uploads(request: HttpRequest) -> None:
    """Call before touching ``request.POST``/``FILES`` in a view that accepts files."""
    request.upload_handlers = [HashingUploadHandler(request)]


def upload_error(request: HttpRequest) -> str | None:
    value = getattr(request, UPLOAD_ERROR_ATTR, None)
    return str(value) if value else None


def close_uploads(request: HttpRequest) -> None:
    """Close the request's uploads; a temporary file nobody moved into storage goes too."""
    if not hasattr(request, "_files"):
        return
    for _name, uploads in request.FILES.lists():
        for upload in uploads:
            upload.close()


View = Callable[..., HttpResponseBase]


def accepts_uploads(view: View) -> View:
    """For an HTML view that takes files: on POST, files are hashed while they arrive.

    Django's CSRF middleware would read the body (with the default handlers) before the view
    could swap them, so the view is exempt from the middleware and the same check runs here
    once the hashing handler is in place (Django's documented pattern). Put it inside
    ``label_view``, so a role without the right is refused before a byte is read. A body
    announcing more than the upload limit is not read at all: the view gets an empty form
    and ``upload_error(request)`` says why.
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in UPLOAD_METHODS:
            return view(request, *args, **kwargs)
        if declared_too_large(request):
            # Refused without reading the body: the view sees an empty form and the reason.
            setattr(request, UPLOAD_ERROR_ATTR, size_limit_message())
            request._post, request._files = QueryDict(), MultiValueDict()  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)
        use_hashing_uploads(request)
        try:
            return protected(request, *args, **kwargs)
        finally:
            close_uploads(request)

    return csrf_exempt(wrapper)
