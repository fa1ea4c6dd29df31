"""ZIP archives we write for others to open: safe member names, streamed members.

Python's ``zipfile`` stores a member name exactly as given (``../../etc/x``, ``/abs``,
``C:\\x``) and cuts it at a NUL byte, so every name we write goes through
``ArcnameAllocator``. Its names match ``ARCNAME_RE``: ASCII letters, digits, ``._-`` and
``/`` between folders, no ``..``, no leading ``/``, at most 200 characters, and unique even
on case-insensitive file systems.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import datetime
from typing import IO

from optout.lib.hashing import CHUNK_SIZE, Digest, StreamHasher

ARCNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$")
MAX_ARCNAME = 200
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9._-]+")
_RUNS = re.compile(r"([._-])[._-]+")
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,10}$")


def _ascii(text: str) -> str:
    """Latin letters lose their accents (``å`` → ``a``); other scripts are dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def safe_component(name: str, *, default: str = "file", max_length: int = 120) -> str:
    """One path component made of ``[A-Za-z0-9._-]``, starting with a letter or digit.

    Separators, control characters, spaces and anything else become ``-``; runs of
    punctuation collapse to one character, so no ``..`` survives. The extension (a short
    alphanumeric suffix) is kept when the name is shortened.
    """
    text = _ascii(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = text.rpartition(".")
    if not dot or not _EXTENSION.match(ext) or not stem.strip(". "):
        stem, ext = text, ""

    def clean(part: str) -> str:
        part = _NOT_ALLOWED.sub("-", part)
        part = _RUNS.sub(r"\1", part)
        return part.strip("._-")

    stem = clean(stem) or default
    ext = ext.lower()
    budget = max(max_length - (len(ext) + 1 if ext else 0), 1)
    stem = stem[:budget].rstrip("._-") or default[:budget]
    return f"{stem}.{ext}" if ext else stem


class ArcnameAllocator:
    """Hands out safe, unique member names for one archive."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def reserve(self, arcname: str) -> str:
        """Claim a fixed name of our own (``manifest.json``); it must already be safe."""
        if not ARCNAME_RE.match(arcname) or ".." in arcname.split("/"):
            raise ValueError(f"Unsafe member name {arcname!r}")
        key = arcname.casefold()
        if key in self._taken:
            raise ValueError(f"Member name {arcname!r} is taken")
        self._taken.add(key)
        return arcname

    def allocate(self, name: str, *, folder: str = "", prefix: str = "") -> str:
        """A safe, unique name for a member called ``name`` by its owner."""
        folder = "/".join(safe_component(p) for p in folder.split("/") if p.strip())
        head = f"{folder}/" if folder else ""
        if prefix and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", prefix):
            raise ValueError(f"Unsafe prefix {prefix!r}")
        room = MAX_ARCNAME - len(head) - len(prefix) - 4  # room for a "-NNN" suffix
        component = prefix + safe_component(name, max_length=max(room, 8))
        if not component[0].isalnum():
            component = f"x{component}"
        stem, dot, ext = component.rpartition(".")
        if not dot:
            stem, ext = component, ""
        candidate = f"{head}{component}"
        counter = 2
        while candidate.casefold() in self._taken:
            suffix = f"-{counter}"
            candidate = f"{head}{stem}{suffix}{'.' + ext if ext else ''}"
            counter += 1
        return self.reserve(candidate)


def zip_write_stream(
    archive: zipfile.ZipFile,
    arcname: str,
    source: IO[bytes],
    *,
    date_time: datetime,
    compress: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> Digest:
    """Copy ``source`` into a new member in 1 MiB chunks, hashing it on the way.

    Memory stays flat whatever the size; Zip64 is always allowed for the member.
    """
    info = zipfile.ZipInfo(arcname, date_time=date_time.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    hasher = StreamHasher()
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    with archive.open(info, "w", force_zip64=True) as target:
        while True:
            n = source.readinto(buffer)  # type: ignore[attr-defined]
            if not n:
                break
            chunk = view[:n]
            hasher.update(chunk)
            target.write(chunk)
            if on_progress is not None:
                on_progress(hasher.size)
    return hasher.digest()


def zip_write_bytes(
    archive: zipfile.ZipFile, arcname: str, data: bytes, *, date_time: datetime
) -> None:
    info = zipfile.ZipInfo(arcname, date_time=date_time.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


class ZipMemberWriter:
    """A member open for writing in pieces (e.g. one JSON line at a time), hashed as written."""

    def __init__(self, archive: zipfile.ZipFile, arcname: str, *, date_time: datetime) -> None:
        info = zipfile.ZipInfo(arcname, date_time=date_time.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._target = archive.open(info, "w", force_zip64=True)
        self._hasher = StreamHasher()

    def write(self, data: bytes) -> None:
        self._hasher.update(data)
        self._target.write(data)

    def close(self) -> Digest:
        self._target.close()
        return self._hasher.digest()
