"""One SHA-256 helper for every stored file: masters, captures, documents and packets.

Reads and writes in 1 MiB chunks through one reused buffer, so memory stays flat whatever
the file size (1 MiB ``readinto`` measured fastest here, see docs/performance.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

CHUNK_SIZE = 1024 * 1024
HEAD_SIZE = 64 * 1024


class Readable(Protocol):
    def readinto(self, buffer: bytearray | memoryview, /) -> int | None: ...


class TooLarge(ValueError):
    """The stream went past the allowed number of bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The file is larger than the limit of {limit} bytes.")
        self.limit = limit


@dataclass(frozen=True)
class Digest:
    sha256: str
    size: int
    head: bytes
    """The first bytes of the stream, for sniffing the media type without a second read."""


class StreamHasher:
    """Feed chunks in order; get the SHA-256, size and head at the end."""

    def __init__(self, *, max_bytes: int | None = None) -> None:
        self._hash = hashlib.sha256()
        self._size = 0
        self._head = bytearray()
        self._max = max_bytes

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        n = len(chunk)
        self._size += n
        if self._max is not None and self._size > self._max:
            raise TooLarge(self._max)
        if len(self._head) < HEAD_SIZE:
            self._head += bytes(chunk[: HEAD_SIZE - len(self._head)])
        self._hash.update(chunk)

    @property
    def size(self) -> int:
        return self._size

    def digest(self) -> Digest:
        return Digest(sha256=self._hash.hexdigest(), size=self._size, head=bytes(self._head))


def copy_and_hash(
    source: IO[bytes] | Readable,
    target: IO[bytes] | None,
    *,
    max_bytes: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Digest:
    """Copy ``source`` to ``target`` (or nowhere) and hash the bytes in the same pass."""
    hasher = StreamHasher(max_bytes=max_bytes)
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    while True:
        n = source.readinto(buffer)  # type: ignore[union-attr]  # binary streams all have it
        if not n:
            break
        chunk = view[:n]
        hasher.update(chunk)
        if target is not None:
            target.write(chunk)
        if on_progress is not None:
            on_progress(hasher.size)
    return hasher.digest()


def sha256_file(path: str | Path, *, on_progress: Callable[[int], None] | None = None) -> Digest:
    with open(path, "rb", buffering=0) as handle:
        return copy_and_hash(handle, None, on_progress=on_progress)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
