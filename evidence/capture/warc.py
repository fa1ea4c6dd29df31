"""Writing what the safe fetcher saw as a WARC 1.1 file (warcio).

For every hop (each redirect and each final response, of the page and of every sub-resource
the browser asked for) the file holds a ``request`` record with the request as it was sent
and a ``response`` record with the status line and headers as received and the body as
transferred (still content-encoded, e.g. gzip). ``WARC-IP-Address`` names the address the
fetcher connected to. A ``warcinfo`` record opens the file with the software versions.

One liberty is taken and declared: the fetcher hands over bodies with the chunked transfer
coding already removed, so a ``Transfer-Encoding`` header is written as
``X-Optout-Orig-Transfer-Encoding`` (the pywb convention), so that readers do not try to
de-chunk a body that is no longer chunked.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

_TRANSFER_ENCODING = re.compile(rb"^transfer-encoding:", re.IGNORECASE)
_SPOOL = 1024 * 1024


class BodyLike(Protocol):
    size: int

    def chunks(self, size: int = ...) -> Iterator[bytes]: ...


class ExchangeLike(Protocol):
    """One request and its response, as ``optout.lib.fetch`` records a hop."""

    @property
    def url(self) -> str: ...
    @property
    def request_head(self) -> bytes: ...
    @property
    def response_head(self) -> bytes: ...
    @property
    def peer_ip(self) -> str: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def raw_body(self) -> BodyLike: ...


def _response_head(head: bytes) -> bytes:
    lines = head.split(b"\r\n") if b"\r\n" in head else head.split(b"\n")
    kept = [
        b"X-Optout-Orig-" + line if _TRANSFER_ENCODING.match(line) else line
        for line in lines
        if line  # the blank line that ends the head is put back below
    ]
    return b"\r\n".join(kept) + b"\r\n\r\n"


def _request_head(head: bytes) -> bytes:
    head = head.rstrip(b"\r\n")
    return head + b"\r\n\r\n"


def _spool(head: bytes, body: Iterable[bytes] = ()) -> tuple[IO[bytes], int]:
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115
    spool.write(head)
    length = len(head)
    for chunk in body:
        spool.write(chunk)
        length += len(chunk)
    spool.seek(0)
    return spool, length


def warc_date(moment: datetime) -> str:
    """``moment`` as WARC 1.1 wants it: W3C-DTF in UTC with a ``Z``, microseconds kept.

    warcio appends the ``Z`` to ``isoformat()``, which for an aware datetime already
    carries ``+00:00``; readers (cdxj-indexer, warcio's own parser) refuse that.
    """
    from warcio.timeutils import datetime_to_iso_date

    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return str(datetime_to_iso_date(moment, use_micros=True))


def write_warc(
    path: Path,
    *,
    exchanges: Iterable[ExchangeLike],
    info: Mapping[str, Any],
    filename: str,
) -> int:
    """Write a gzipped WARC of ``exchanges`` to ``path``; returns the number of records."""
    # Loaded here, not at import: web and worker processes that never capture stay smaller.
    from warcio.warcwriter import WARCWriter

    records = 0
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(filename, dict(info)))
        records += 1
        for exchange in exchanges:
            date = warc_date(exchange.started_at)
            body, length = _spool(
                _response_head(exchange.response_head), exchange.raw_body.chunks()
            )
            with body:
                response = writer.create_warc_record(
                    exchange.url,
                    "response",
                    payload=body,
                    length=length,
                    warc_headers_dict={
                        "WARC-Date": date,
                        **({"WARC-IP-Address": exchange.peer_ip} if exchange.peer_ip else {}),
                    },
                )
                writer.write_record(response)
            request_payload, request_length = _spool(_request_head(exchange.request_head))
            with request_payload:
                request = writer.create_warc_record(
                    exchange.url,
                    "request",
                    payload=request_payload,
                    length=request_length,
                    warc_headers_dict={
                        "WARC-Date": date,
                        "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
                    },
                )
                writer.write_record(request)
            records += 2
    return records
