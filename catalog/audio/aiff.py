"""AIFF and AIFF-C at chunk level: the layout, the ``COMM`` chunk and the ``SSND`` range.

Tags in AIFF are written by mutagen (an ``ID3 `` chunk); this module only reads. The walk
reads 8-byte headers and always moves forward, so it ends on any input.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import BinaryIO

from catalog.audio.errors import BadAudio, Param, damaged
from catalog.audio.riff import MAX_CHUNKS, Chunk
from catalog.audio.sniff import read_at

Note = tuple[str, dict[str, Param]]
TEXT_CHUNKS = (b"NAME", b"AUTH", b"(c) ", b"ANNO")

_AIFC_CODECS = {
    b"NONE": "pcm_s{bits}be",
    b"twos": "pcm_s{bits}be",
    b"sowt": "pcm_s{bits}le",
    b"fl32": "pcm_f32be",
    b"FL32": "pcm_f32be",
    b"fl64": "pcm_f64be",
    b"FL64": "pcm_f64be",
    b"alaw": "pcm_alaw",
    b"ulaw": "pcm_mulaw",
    b"ima4": "adpcm_ima_qt",
}


@dataclass
class AiffLayout:
    form: bytes
    declared_size: int
    file_size: int
    chunks: list[Chunk]
    end: int
    notes: list[Note] = field(default_factory=list)

    def first(self, chunk_id: bytes) -> Chunk | None:
        return next((c for c in self.chunks if c.id == chunk_id), None)


def parse_layout(handle: BinaryIO, size: int) -> AiffLayout:
    header = read_at(handle, 0, 12)
    if len(header) < 12 or header[:4] != b"FORM" or header[8:12] not in (b"AIFF", b"AIFC"):
        raise damaged("AIFF", "no FORM AIFF header")
    layout = AiffLayout(header[8:12], int.from_bytes(header[4:8], "big"), size, [], 12)
    position = 12
    while position + 8 <= size:
        if len(layout.chunks) >= MAX_CHUNKS:
            raise BadAudio("too_complex", params={"format": "AIFF"})
        head = read_at(handle, position, 8)
        if not all(0x20 <= b <= 0x7E for b in head[:4]):
            break
        length = int.from_bytes(head[4:8], "big")
        available = max(0, min(length, size - position - 8))
        layout.chunks.append(Chunk(head[:4], position, length, available))
        position += 8 + length + (length & 1)
        if available < length:
            position = size
            break
    layout.end = min(position, size)
    ssnd = layout.first(b"SSND")
    if ssnd is not None and ssnd.available < ssnd.size:
        layout.notes.append(
            ("data_truncated", {"declared": ssnd.size, "available": ssnd.available})
        )
    if layout.end < size:
        layout.notes.append(("trailing_bytes", {"count": size - layout.end, "format": "AIFF"}))
    return layout


def extended_to_int(raw: bytes) -> int:
    """An IEEE 754 80-bit extended float (the AIFF sample rate), rounded to an integer."""
    exponent = int.from_bytes(raw[:2], "big") & 0x7FFF
    mantissa = int.from_bytes(raw[2:10], "big")
    if exponent == 0 or mantissa == 0:
        return 0
    shift = exponent - 16383 - 63
    if shift > 64:  # far beyond any real sample rate
        return 0
    return mantissa << shift if shift >= 0 else (mantissa + (1 << (-shift - 1))) >> -shift


@dataclass(frozen=True)
class Comm:
    channels: int
    frames: int
    bits: int
    sample_rate: int
    compression: bytes

    @property
    def codec(self) -> str:
        template = _AIFC_CODECS.get(self.compression)
        if template is None:
            return "aifc_" + self.compression.decode("latin-1").strip().lower()
        return template.format(bits=self.bits)


def parse_comm(body: bytes, form: bytes) -> Comm:
    if len(body) < 18:
        raise damaged("AIFF", "the COMM chunk is too short")
    channels, frames, bits = struct.unpack_from(">hIh", body)
    compression = body[18:22] if form == b"AIFC" and len(body) >= 22 else b"NONE"
    return Comm(channels, frames, bits, extended_to_int(body[8:18]), compression)
