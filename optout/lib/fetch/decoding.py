"""Streaming content decoders (gzip, deflate, br) that never inflate more than asked.

Each ``feed`` yields pieces of about ``OUT_CHUNK`` bytes (brotli may give up to twice that)
and decompresses only as far as the caller keeps reading, so a 10 GiB gzip bomb costs one
piece of memory and stops as soon as the caller's cap is reached.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from typing import Final, Protocol

import brotli

OUT_CHUNK: Final = 64 * 1024
ACCEPT_ENCODING: Final = "gzip, deflate, br"


class DecodeError(Exception):
    """The body is not valid for its declared content encoding."""


class UnsupportedEncoding(DecodeError):
    pass


class Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


def _inflate(inflater: zlib._Decompress, data: bytes, name: str) -> Iterator[bytes]:
    """Decompress ``data`` in pieces of at most ``OUT_CHUNK``, only as fast as they are read."""
    while True:
        try:
            out = inflater.decompress(data, OUT_CHUNK)
        except zlib.error as exc:
            raise DecodeError(f"{name}: {exc}") from None
        if out:
            yield out
        if inflater.eof:
            return  # what follows the stream is in unused_data (and, oddly, unconsumed_tail)
        data = inflater.unconsumed_tail
        # A full piece with no input left may still leave output inside zlib.
        if not data and len(out) < OUT_CHUNK:
            return


_GZIP_MAGIC: Final = b"\x1f\x8b"


class _Gzip:
    """gzip, including several members one after another (as ``gzip`` itself writes)."""

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._seen = False
        self._trailing = False
        self._pending = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        data, self._pending = self._pending + data, b""
        while data and not self._trailing:
            self._seen = True
            if self._inflater.eof:
                if len(data) < len(_GZIP_MAGIC) and _GZIP_MAGIC.startswith(data):
                    self._pending = data  # the next member's magic, split across reads
                    return
                if not data.startswith(_GZIP_MAGIC):
                    # Bytes after the last member: browsers ignore them, and so do we.
                    self._trailing = True
                    return
                self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            yield from _inflate(self._inflater, data, "gzip")
            data = self._inflater.unused_data if self._inflater.eof else b""

    def finish(self) -> Iterator[bytes]:
        if self._seen and not self._inflater.eof and not self._trailing:
            raise DecodeError("gzip: the compressed body ends before the end of the stream")
        return iter(())


class _Deflate:
    """HTTP "deflate" is meant to be zlib-wrapped, but many servers send raw deflate."""

    def __init__(self) -> None:
        self._inflater: zlib._Decompress | None = None
        self._pending = b""

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inflater is None:
            self._pending += data
            if len(self._pending) < 2:
                return
            first, second = self._pending[0], self._pending[1]
            wrapped = first & 0x0F == 8 and (first * 256 + second) % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
            data, self._pending = self._pending, b""
        if data and not self._inflater.eof:
            yield from _inflate(self._inflater, data, "deflate")

    def finish(self) -> Iterator[bytes]:
        if self._pending:
            raise DecodeError("deflate: the compressed body is too short")
        if self._inflater is not None and not self._inflater.eof:
            raise DecodeError("deflate: the compressed body ends before the end of the stream")
        return iter(())


class _Brotli:
    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()
        self._seen = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        self._seen = True
        decompressor = self._decompressor
        try:
            out = decompressor.process(data, output_buffer_limit=OUT_CHUNK)
            if out:
                yield out
            # A full buffer means more output may be waiting even with no new input.
            while not decompressor.is_finished() and (
                len(out) >= OUT_CHUNK or not decompressor.can_accept_more_data()
            ):
                out = decompressor.process(b"", output_buffer_limit=OUT_CHUNK)
                if out:
                    yield out
        except brotli.error as exc:
            raise DecodeError(f"br: {exc}") from None

    def finish(self) -> Iterator[bytes]:
        if self._seen and not self._decompressor.is_finished():
            raise DecodeError("br: the compressed body ends before the end of the stream")
        return iter(())


class _Chain:
    """Encodings listed as applied ("gzip, br": gzip first), so decoded in reverse."""

    def __init__(self, decoders: Sequence[Decoder]) -> None:
        self._decoders = list(decoders)

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(1, self._decoders[0].feed(data))

    def finish(self) -> Iterator[bytes]:
        for index, decoder in enumerate(self._decoders):
            yield from self._through(index + 1, decoder.finish())

    def _through(self, index: int, pieces: Iterator[bytes]) -> Iterator[bytes]:
        if index == len(self._decoders):
            yield from pieces
            return
        for piece in pieces:
            yield from self._through(index + 1, self._decoders[index].feed(piece))


def content_encodings(header_values: Sequence[str]) -> tuple[str, ...]:
    """The codings of every Content-Encoding header, in the order they were applied."""
    codings: list[str] = []
    for value in header_values:
        for item in value.split(","):
            coding = item.strip().lower()
            if coding and coding != "identity":
                codings.append(coding)
    return tuple(codings)


def make_decoder(codings: Sequence[str]) -> Decoder | None:
    """A decoder for the codings, or None when the body is not encoded."""
    decoders: list[Decoder] = []
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip"):
            decoders.append(_Gzip())
        elif coding == "deflate":
            decoders.append(_Deflate())
        elif coding == "br":
            decoders.append(_Brotli())
        else:
            raise UnsupportedEncoding(f"unsupported content encoding {coding!r}")
    if not decoders:
        return None
    return decoders[0] if len(decoders) == 1 else _Chain(decoders)
