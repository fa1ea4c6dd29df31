"""RIFF/WAVE, BWF and RF64 at chunk level: read the layout, the ``fmt``, ``bext`` and ``iXML``
chunks, and write a new file with replaced metadata chunks around an untouched ``data`` chunk.

mutagen cannot write ``bext``/``iXML`` and cannot open RF64 at all, so WAV files are handled
here for every format variant (EBU Tech 3285 for ``bext``, EBU Tech 3306 / ITU-R BS.2088 for
RF64/BW64 and their ``ds64`` chunk). The walk reads 8-byte headers and always moves forward,
so it ends on any input; chunk bodies are only read when small (metadata) and never from a
size the file declares without a cap.
"""

from __future__ import annotations

import errno
import os
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from catalog.audio.errors import BadAudio, Param, damaged
from catalog.audio.sniff import read_at

MAX_CHUNKS = 4096
MAX_METADATA_CHUNK = 64 * 1024 * 1024
BEXT_FIXED_SIZE = 602
U32_MAX = 0xFFFFFFFF
_COPY_STEP = 1 << 30

Note = tuple[str, dict[str, Param]]


@dataclass
class Chunk:
    id: bytes
    offset: int
    """Offset of the 8-byte chunk header."""
    size: int
    """The body size (from ``ds64`` when the header holds the RF64 placeholder)."""
    available: int
    """Bytes of the body actually present in the file."""

    @property
    def body(self) -> int:
        return self.offset + 8

    @property
    def name(self) -> str:
        return self.id.decode("latin-1")


@dataclass
class Ds64:
    riff_size: int
    data_size: int
    sample_count: int
    table: dict[bytes, int]


@dataclass
class RiffLayout:
    magic: bytes
    declared_size: int
    file_size: int
    chunks: list[Chunk]
    end: int
    """Offset after the last chunk; bytes after it are not RIFF."""
    ds64: Ds64 | None = None
    data_size_unset: bool = False
    notes: list[Note] = field(default_factory=list)

    @property
    def is_rf64(self) -> bool:
        return self.magic != b"RIFF"

    @property
    def label(self) -> str:
        return "RF64" if self.is_rf64 else "WAV"

    @property
    def data(self) -> Chunk | None:
        return next((c for c in self.chunks if c.id == b"data"), None)

    def first(self, chunk_id: bytes) -> Chunk | None:
        wanted = chunk_id.lower()
        return next((c for c in self.chunks if c.id.lower() == wanted), None)

    @property
    def truncated(self) -> Chunk | None:
        return next((c for c in self.chunks if c.available < c.size), None)


def _valid_id(chunk_id: bytes) -> bool:
    return len(chunk_id) == 4 and all(0x20 <= b <= 0x7E for b in chunk_id)


def parse_layout(handle: BinaryIO, size: int) -> RiffLayout:
    """Walk the chunks of a RIFF, RF64 or BW64 WAVE file."""
    header = read_at(handle, 0, 12)
    if len(header) < 12 or header[8:12] != b"WAVE":
        raise damaged("WAV", "no RIFF WAVE header")
    magic = header[:4]
    label = "WAV" if magic == b"RIFF" else "RF64"
    layout = RiffLayout(magic, int.from_bytes(header[4:8], "little"), size, [], 12)
    position = 12
    if layout.is_rf64:
        layout.ds64, position = _read_ds64(handle, size)
        layout.declared_size = layout.ds64.riff_size
    while position + 8 <= size:
        if len(layout.chunks) >= MAX_CHUNKS:
            raise BadAudio("too_complex", params={"format": label})
        head = read_at(handle, position, 8)
        chunk_id = head[:4]
        if not _valid_id(chunk_id):
            break
        declared = int.from_bytes(head[4:8], "little")
        length = _resolve_size(layout, chunk_id, declared, position, size)
        available = max(0, min(length, size - position - 8))
        layout.chunks.append(Chunk(chunk_id, position, length, available))
        position += 8 + length + (length & 1)
        if available < length:
            position = size
            break
    layout.end = min(position, size)
    _add_notes(layout, label)
    return layout


def _read_ds64(handle: BinaryIO, size: int) -> tuple[Ds64, int]:
    head = read_at(handle, 12, 8)
    if head[:4] != b"ds64":
        raise damaged("RF64", "the ds64 chunk is missing")
    length = int.from_bytes(head[4:8], "little")
    if length < 24 or 20 + length > size:
        raise damaged("RF64", "the ds64 chunk is too short")
    body = read_at(handle, 20, min(length, 28 + 12 * 256))
    riff_size, data_size, sample_count = struct.unpack_from("<QQQ", body)
    table: dict[bytes, int] = {}
    if len(body) >= 28:
        entries = int.from_bytes(body[24:28], "little")
        for index in range(min(entries, (len(body) - 28) // 12)):
            start = 28 + index * 12
            table[body[start : start + 4]] = int.from_bytes(body[start + 4 : start + 12], "little")
    return Ds64(riff_size, data_size, sample_count, table), 20 + length + (length & 1)


def _resolve_size(
    layout: RiffLayout, chunk_id: bytes, declared: int, position: int, size: int
) -> int:
    if layout.ds64 is not None and declared == U32_MAX:
        if chunk_id == b"data":
            return layout.ds64.data_size
        return layout.ds64.table.get(chunk_id, declared)
    if chunk_id == b"data" and layout.data is None and declared in (0, U32_MAX):
        # Written as a stream: the writer could not seek back to fill in the size.
        layout.data_size_unset = True
        return max(0, size - position - 8)
    return declared


def _add_notes(layout: RiffLayout, label: str) -> None:
    if layout.data_size_unset:
        layout.notes.append(("data_size_unset", {}))
    cut = layout.truncated
    if cut is not None and cut.id == b"data":
        layout.notes.append(("data_truncated", {"declared": cut.size, "available": cut.available}))
    if layout.end < layout.file_size:
        layout.notes.append(
            ("trailing_bytes", {"count": layout.file_size - layout.end, "format": label})
        )
    declared_total = layout.declared_size + 8
    if not layout.data_size_unset and declared_total not in (layout.end, layout.file_size):
        layout.notes.append(
            ("riff_size_mismatch", {"declared": declared_total, "actual": layout.file_size})
        )
    if sum(1 for c in layout.chunks if c.id == b"data") > 1:
        layout.notes.append(("extra_data_chunks", {}))


def read_body(handle: BinaryIO, chunk: Chunk, limit: int = MAX_METADATA_CHUNK) -> bytes:
    return read_at(handle, chunk.body, min(chunk.available, limit))


# --- fmt -----------------------------------------------------------------------------------

_PCM_SUBTYPE_TAIL = bytes.fromhex("000000001000800000aa00389b71")
_CODECS = {
    0x0002: "adpcm_ms",
    0x0006: "pcm_alaw",
    0x0007: "pcm_mulaw",
    0x0011: "adpcm_ima_wav",
    0x0050: "mp2",
    0x0055: "mp3",
    0x2000: "ac3",
}


@dataclass(frozen=True)
class WaveFormat:
    tag: int
    channels: int
    sample_rate: int
    byte_rate: int
    block_align: int
    bits: int
    """Bits per sample in the container."""
    valid_bits: int
    """Bits that carry signal (WAVE_FORMAT_EXTENSIBLE may say 24 of 32)."""

    @property
    def codec(self) -> str:
        if self.tag == 1:
            return "pcm_u8" if self.bits == 8 else f"pcm_s{self.bits}le"
        if self.tag == 3:
            return f"pcm_f{self.bits}le"
        return _CODECS.get(self.tag, f"wav_0x{self.tag:04x}")

    @property
    def is_pcm(self) -> bool:
        return self.tag in (1, 3)


def parse_fmt(body: bytes) -> WaveFormat:
    if len(body) < 16:
        raise damaged("WAV", "the fmt chunk is too short")
    tag, channels, rate, byte_rate, align, bits = struct.unpack_from("<HHIIHH", body)
    valid = bits
    if tag == 0xFFFE and len(body) >= 40 and body[26:40] == _PCM_SUBTYPE_TAIL:
        tag = int.from_bytes(body[24:26], "little")
        declared_valid = int.from_bytes(body[18:20], "little")
        valid = declared_valid if 0 < declared_valid <= bits else bits
    return WaveFormat(tag, channels, rate, byte_rate, align, bits, valid)


# --- bext (EBU Tech 3285) ------------------------------------------------------------------


@dataclass
class Bext:
    description: str = ""
    originator: str = ""
    originator_reference: str = ""
    origination_date: str = ""
    origination_time: str = ""
    time_reference: int = 0
    version: int = 1
    umid: bytes = bytes(64)
    loudness: tuple[int, int, int, int, int] | None = None
    """LoudnessValue, LoudnessRange, MaxTruePeakLevel, MaxMomentaryLoudness,
    MaxShortTermLoudness in hundredths (version 2 only; 0x7FFF = not set)."""
    coding_history: bytes = b""
    size: int = BEXT_FIXED_SIZE

    def as_dict(self) -> dict[str, object]:
        loudness = None
        if self.loudness is not None:
            names = ("value", "range", "max_true_peak", "max_momentary", "max_short_term")
            loudness = {n: v for n, v in zip(names, self.loudness, strict=True) if v != 0x7FFF}
        return {
            "description": self.description,
            "originator": self.originator,
            "originator_reference": self.originator_reference,
            "origination_date": self.origination_date,
            "origination_time": self.origination_time,
            "time_reference": self.time_reference,
            "version": self.version,
            "umid": self.umid.hex() if any(self.umid) else "",
            "loudness": loudness,
            "coding_history": self.coding_history.decode("latin-1").replace("\x00", ""),
            "size": self.size,
        }


def _text(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()


def parse_bext(body: bytes, size: int) -> tuple[Bext, list[Note]]:
    notes: list[Note] = []
    if size < BEXT_FIXED_SIZE:
        notes.append(("bext_short", {"size": size}))
    fixed = body[:BEXT_FIXED_SIZE].ljust(BEXT_FIXED_SIZE, b"\x00")
    version = int.from_bytes(fixed[346:348], "little")
    loudness = struct.unpack_from("<5h", fixed, 412) if version >= 2 else None
    bext = Bext(
        description=_text(fixed[0:256]),
        originator=_text(fixed[256:288]),
        originator_reference=_text(fixed[288:320]),
        origination_date=_text(fixed[320:330]),
        origination_time=_text(fixed[330:338]),
        time_reference=int.from_bytes(fixed[338:346], "little"),
        version=version,
        umid=fixed[348:412],
        loudness=loudness,
        coding_history=body[BEXT_FIXED_SIZE:],
        size=size,
    )
    return bext, notes


def _ascii_field(value: str, width: int) -> bytes:
    data = value.encode("ascii")
    if len(data) > width:
        raise ValueError(f"bext field longer than {width} bytes")
    return data.ljust(width, b"\x00")


def build_bext(bext: Bext) -> bytes:
    """The body of a ``bext`` chunk: the 602-byte fixed part, then the coding history."""
    version = 2 if bext.loudness is not None else 1
    loudness = bext.loudness if bext.loudness is not None else (0, 0, 0, 0, 0)
    fixed = b"".join(
        (
            _ascii_field(bext.description, 256),
            _ascii_field(bext.originator, 32),
            _ascii_field(bext.originator_reference, 32),
            _ascii_field(bext.origination_date, 10),
            _ascii_field(bext.origination_time, 8),
            struct.pack("<QH", bext.time_reference, version),
            bext.umid[:64].ljust(64, b"\x00"),
            struct.pack("<5h", *loudness) if version >= 2 else bytes(10),
            bytes(180),
        )
    )
    assert len(fixed) == BEXT_FIXED_SIZE
    return fixed + bext.coding_history


# --- Writing a new file -------------------------------------------------------------------


@dataclass(frozen=True)
class NewChunk:
    id: bytes
    body: bytes


Piece = Chunk | NewChunk


def plan_pieces(
    layout: RiffLayout,
    *,
    replace: Iterable[bytes],
    before_data: Sequence[NewChunk],
    at_end: Sequence[NewChunk],
) -> tuple[list[Piece], list[Note]]:
    """The chunks of the new file in order: the old ones minus ``replace`` and the RF64
    ``ds64``, the ``before_data`` chunks just before ``data``, ``at_end`` at the end."""
    data = layout.data
    if data is None:
        raise BadAudio("no_audio", params={"format": layout.label})
    if data.available < data.size:
        raise BadAudio(
            "truncated",
            params={"format": layout.label, "declared": data.size, "available": data.available},
        )
    dropped = {chunk_id.lower() for chunk_id in replace} | {b"ds64"}
    notes: list[Note] = []
    pieces: list[Piece] = []
    lost = layout.file_size - layout.end
    for chunk in layout.chunks:
        if chunk is data:
            pieces.extend(before_data)
            pieces.append(chunk)
        elif chunk.id.lower() in dropped:
            continue
        elif chunk.available < chunk.size:
            lost += 8 + chunk.available  # a cut-off chunk at the very end
        else:
            pieces.append(chunk)
    pieces.extend(at_end)
    if lost:
        notes.append(("dropped_bytes", {"count": lost}))
    if layout.data_size_unset:
        notes.append(("data_size_fixed", {}))
    return pieces, notes


def _piece_size(piece: Piece) -> int:
    length = len(piece.body) if isinstance(piece, NewChunk) else piece.size
    return 8 + length + (length & 1)


def needs_rf64(layout: RiffLayout, pieces: Sequence[Piece]) -> bool:
    """RF64 when the source is, or when the new file would not fit RIFF's 32-bit sizes."""
    body_total = 4 + sum(_piece_size(p) for p in pieces)
    return (
        layout.is_rf64
        or body_total > U32_MAX
        or any(isinstance(p, Chunk) and p.size >= U32_MAX for p in pieces)
    )


def write_layout(
    source: BinaryIO, target_path: str, layout: RiffLayout, pieces: Sequence[Piece]
) -> list[Note]:
    """Write ``pieces`` as a new WAVE file; RIFF if it fits in 4 GiB, else RF64."""
    notes: list[Note] = []
    body_total = 4 + sum(_piece_size(p) for p in pieces)
    big = [p for p in pieces if isinstance(p, Chunk) and p.size >= U32_MAX and p.id != b"data"]
    rf64 = needs_rf64(layout, pieces)
    if rf64 and not layout.is_rf64:
        notes.append(("upgraded_to_rf64", {}))
    data = layout.data
    assert data is not None
    with open(target_path, "wb", buffering=0) as out:
        if rf64:
            ds64_size = 28 + 12 * len(big)
            riff_size = body_total + 8 + ds64_size
            sample_count = (
                layout.ds64.sample_count if layout.ds64 else _fact_samples(source, layout)
            )
            ds64 = struct.pack("<QQQI", riff_size, data.size, sample_count, len(big))
            ds64 += b"".join(p.id + struct.pack("<Q", p.size) for p in big)
            magic = layout.magic if layout.is_rf64 else b"RF64"
            out.write(magic + struct.pack("<I", U32_MAX) + b"WAVE")
            out.write(b"ds64" + struct.pack("<I", ds64_size) + ds64)
        else:
            out.write(b"RIFF" + struct.pack("<I", body_total) + b"WAVE")
        for piece in pieces:
            length = len(piece.body) if isinstance(piece, NewChunk) else piece.size
            declared = U32_MAX if rf64 and (length >= U32_MAX or piece.id == b"data") else length
            out.write(piece.id + struct.pack("<I", declared))
            if isinstance(piece, NewChunk):
                out.write(piece.body)
            else:
                copy_range(source, out, piece.body, length)
            if length & 1:
                out.write(b"\x00")
    return notes


def _fact_samples(handle: BinaryIO, layout: RiffLayout) -> int:
    fact = layout.first(b"fact")
    if fact is None or fact.available < 4:
        return 0
    return int.from_bytes(read_at(handle, fact.body, 4), "little")


def copy_range(source: BinaryIO, target: BinaryIO, offset: int, length: int) -> None:
    """Copy ``length`` bytes from ``offset`` of ``source`` to the position of ``target``,
    in the kernel where it can (``copy_file_range``), else in 1 MiB steps."""
    src, dst = source.fileno(), target.fileno()
    position, remaining = offset, length
    while remaining:
        try:
            done = os.copy_file_range(src, dst, min(remaining, _COPY_STEP), position)
        except OSError as error:
            if error.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                raise
            _copy_slowly(source, target, position, remaining)
            return
        if done <= 0:
            raise damaged("WAV", "the file ended before the end of a chunk")
        position += done
        remaining -= done


def _copy_slowly(source: BinaryIO, target: BinaryIO, offset: int, length: int) -> None:
    buffer = bytearray(1024 * 1024)
    view = memoryview(buffer)
    source.seek(offset)
    while length:
        got = source.readinto(view[: min(length, len(buffer))])  # type: ignore[attr-defined]
        if not got:
            raise damaged("WAV", "the file ended before the end of a chunk")
        target.write(view[:got])
        length -= got
