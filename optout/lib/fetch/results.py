"""What a fetch saw: every hop's request and response, bodies kept in bounded memory."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import IO, Any, Final

from optout.lib.canonical import utc_iso

SPOOL_BYTES: Final = 1024 * 1024
"""A body stays in memory up to this size and moves to a temporary file past it."""

_CHUNK: Final = 64 * 1024


class Body:
    """The bytes of one body, with their size and SHA-256 computed as they arrived.

    Read it with ``read()`` (all at once), ``chunks()`` (streamed) or ``open()`` (a file
    object positioned at the start, owned by the body: do not close it). The temporary
    file is removed by ``close()`` or when the result is closed.
    """

    def __init__(self) -> None:
        # Owned by the body for its whole life and closed by close().
        self._file: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=SPOOL_BYTES, prefix="fetch-"
        )
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._file.write(data)
        self._hash.update(data)
        self.size += len(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def read(self) -> bytes:
        self._file.seek(0)
        return self._file.read()

    def open(self) -> IO[bytes]:
        self._file.seek(0)
        return self._file

    def chunks(self, size: int = _CHUNK) -> Iterator[bytes]:
        self._file.seek(0)
        while chunk := self._file.read(size):
            yield chunk

    def close(self) -> None:
        self._file.close()

    def __repr__(self) -> str:
        return f"<Body {self.size} bytes sha256={self.sha256[:12]}>"


@dataclass(frozen=True)
class TlsInfo:
    version: str
    cipher: str
    server_name: str
    """The name sent as SNI and checked against the certificate (empty for an IP URL)."""
    peer_chain: tuple[bytes, ...]
    """DER certificates as the server sent them, leaf first."""
    verified_chain: tuple[bytes, ...]
    """DER certificates of the path that was verified, leaf first and trust anchor last."""

    @property
    def leaf(self) -> bytes:
        return self.peer_chain[0] if self.peer_chain else b""


@dataclass(frozen=True)
class Timings:
    """Milliseconds from the start of the hop (integers, so they can go in the ledger)."""

    resolved_ms: int = 0
    connected_ms: int = 0
    tls_ms: int = 0
    headers_ms: int = 0
    done_ms: int = 0


def _header_values(headers: tuple[tuple[str, str], ...], name: str) -> list[str]:
    lowered = name.lower()
    return [value for key, value in headers if key.lower() == lowered]


@dataclass(frozen=True)
class Hop:
    """One request and its response: a redirect on the way, or the final answer."""

    method: str
    url: str
    request_target: str
    request_head: bytes
    """The request line and headers exactly as sent."""
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    http_version: str
    response_head: bytes
    """The status line and header lines exactly as received, up to the blank line."""
    headers: tuple[tuple[str, str], ...]
    """Response headers in the order received, duplicates kept."""
    raw_body: Body
    """The body after transfer decoding (chunked) and before content decoding (gzip...)."""
    body: Body
    """The body after content decoding; the same object as ``raw_body`` when not encoded."""
    content_encoding: tuple[str, ...]
    peer_ip: str
    peer_port: int
    resolved: tuple[str, ...]
    """Every address the host name resolved to (all of them were checked)."""
    tls: TlsInfo | None
    started_at: datetime
    timings: Timings
    wire_bytes: int
    """Bytes read from the connection, headers and framing included."""
    truncated: bool = False
    truncation: str = ""
    """Why the body is incomplete: ``max_bytes``, ``max_decoded_bytes``, ``deadline`` or
    ``incomplete`` (the server closed early). Empty when complete."""
    decode_error: str = ""
    location: str = ""
    """For a redirect: the absolute URL it points to."""

    def header(self, name: str) -> str | None:
        values = _header_values(self.headers, name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        return _header_values(self.headers, name)

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """The decoded body as text, in the charset the server declared (UTF-8 if none)."""
        charset = "utf-8"
        for param in (self.header("content-type") or "").split(";")[1:]:
            key, _sep, value = param.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip().strip('"')
        try:
            return self.body.read().decode(charset, errors="replace")
        except LookupError:
            return self.body.read().decode("utf-8", errors="replace")

    def provenance(self) -> dict[str, Any]:
        """A JSON-safe summary (no floats) for provenance records and the ledger."""
        record: dict[str, Any] = {
            "method": self.method,
            "url": self.url,
            "status": self.status,
            "http_version": self.http_version,
            "peer_ip": self.peer_ip,
            "peer_port": self.peer_port,
            "resolved": list(self.resolved),
            "started_at": utc_iso(self.started_at),
            "timings_ms": {
                "resolved": self.timings.resolved_ms,
                "connected": self.timings.connected_ms,
                "tls": self.timings.tls_ms,
                "headers": self.timings.headers_ms,
                "done": self.timings.done_ms,
            },
            "raw_body": {"size": self.raw_body.size, "sha256": self.raw_body.sha256},
            "body": {"size": self.body.size, "sha256": self.body.sha256},
            "content_encoding": list(self.content_encoding),
            "truncated": self.truncated,
            "truncation": self.truncation,
            "decode_error": self.decode_error,
        }
        if self.location:
            record["location"] = self.location
        if self.tls is not None:
            record["tls"] = {
                "version": self.tls.version,
                "cipher": self.tls.cipher,
                "server_name": self.tls.server_name,
                "peer_chain_sha256": [hashlib.sha256(c).hexdigest() for c in self.tls.peer_chain],
            }
        return record

    def close(self) -> None:
        self.raw_body.close()
        self.body.close()


@dataclass(frozen=True)
class FetchResult:
    """Every hop of one fetch, the last being the final response.

    Use it as a context manager (or call ``close()``) to remove the bodies' temporary
    files as soon as they are no longer needed.
    """

    requested_url: str
    hops: tuple[Hop, ...] = field(default_factory=tuple)

    @property
    def final(self) -> Hop:
        return self.hops[-1]

    @property
    def final_url(self) -> str:
        return self.final.url

    @property
    def redirect_chain(self) -> tuple[str, ...]:
        """The URL of every hop in order, ending with the final URL."""
        return tuple(hop.url for hop in self.hops)

    @property
    def status(self) -> int:
        return self.final.status

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        return self.final.headers

    def header(self, name: str) -> str | None:
        return self.final.header(name)

    @property
    def content(self) -> bytes:
        return self.final.body.read()

    def text(self) -> str:
        return self.final.text()

    @property
    def truncated(self) -> bool:
        return self.final.truncated

    @property
    def peer_ip(self) -> str:
        return self.final.peer_ip

    @property
    def tls(self) -> TlsInfo | None:
        return self.final.tls

    def provenance(self) -> dict[str, Any]:
        return {
            "requested_url": self.requested_url,
            "final_url": self.final_url,
            "hops": [hop.provenance() for hop in self.hops],
        }

    def close(self) -> None:
        for hop in self.hops:
            hop.close()

    def __enter__(self) -> FetchResult:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
