"""The probe, as run inside the sandbox: format, codec, technical facts, tags, bext, iXML
and notes about anything odd, as a JSON-safe dictionary (no floats).

WAV/BWF/RF64 and AIFF structures are read by our own chunk code (mutagen cannot open RF64);
the ID3 tags inside them, and MP3, FLAC, Ogg and MP4 files, are read by mutagen. Every
exception mutagen raises (not only ``MutagenError``) becomes ``BadAudio("damaged")``.
"""

from __future__ import annotations

import io
import os
from pathlib import PurePath
from typing import Any, BinaryIO

from catalog.audio import aiff, ixml, riff
from catalog.audio.errors import BadAudio, Param, damaged
from catalog.audio.sniff import ACCEPTED_EXTENSIONS, LABELS, Sniffed, sniff
from catalog.audio.tagmap import TagDict, add_id3, add_mp4, add_vorbis, common_fields, mutagen

Note = tuple[str, dict[str, Param]]


class Report:
    """What the probe found, filled in by the reader of each format."""

    def __init__(self, sniffed: Sniffed) -> None:
        self.format = sniffed.format
        self.codec = ""
        self.sample_rate: int | None = None
        self.channels: int | None = None
        self.bit_depth: int | None = None
        self.duration_ms: int | None = None
        self.bitrate: int | None = None
        self.tags = TagDict()
        self.tag_systems: list[str] = []
        self.bext: dict[str, object] | None = None
        self.ixml: dict[str, object] | None = None
        self.notes: list[Note] = list(sniffed.notes)

    def seconds(self, value: float | None) -> None:
        if value is not None and value >= 0:
            self.duration_ms = round(value * 1000)

    def as_dict(self, size: int) -> dict[str, Any]:
        if self.tags.truncated:
            self.notes.append(("tags_truncated", {}))
        return {
            "format": self.format,
            "codec": self.codec,
            "sample_rate": self.sample_rate or None,
            "channels": self.channels or None,
            "bit_depth": self.bit_depth or None,
            "duration_ms": self.duration_ms,
            "bitrate": self.bitrate or None,
            "size": size,
            "tags": self.tags.values,
            "tag_systems": self.tag_systems,
            "common": common_fields(self.tags.values),
            "bext": self.bext,
            "ixml": self.ixml,
            "notes": [{"code": code, "params": params} for code, params in self.notes],
        }


def probe_file(path: str, name: str | None = None) -> dict[str, Any]:
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        sniffed = sniff(handle, size)
        report = Report(sniffed)
        try:
            _READERS[sniffed.container](path, handle, size, report)
        except BadAudio:
            raise
        except MemoryError:
            raise
        except Exception as error:
            raise damaged(LABELS[report.format], f"{type(error).__name__}: {error}") from None
    if name:
        extension = PurePath(name).suffix.lower().lstrip(".")
        if extension and extension not in ACCEPTED_EXTENSIONS[report.format]:
            report.notes.append(
                ("extension_mismatch", {"extension": extension, "format": LABELS[report.format]})
            )
    return report.as_dict(size)


def _id3_from_bytes(report: Report, body: bytes, prefix: str = "") -> None:
    try:
        tags = mutagen("id3").ID3()
        tags.load(io.BytesIO(body), load_v1=False)
    except Exception:
        report.notes.append(("tag_unreadable", {"system": "ID3"}))
        return
    report.tag_systems.append(f"id3v2.{tags.version[1]}")
    add_id3(report.tags, tags, prefix)


# --- WAV / BWF / RF64 -----------------------------------------------------------------------


def _wav(path: str, handle: BinaryIO, size: int, report: Report) -> None:
    layout = riff.parse_layout(handle, size)
    report.notes.extend(layout.notes)
    fmt_chunk = layout.first(b"fmt ")
    if fmt_chunk is None:
        raise damaged(layout.label, "no fmt chunk")
    fmt = riff.parse_fmt(riff.read_body(handle, fmt_chunk, 4096))
    data = layout.data
    if data is None:
        raise BadAudio("no_audio", params={"format": layout.label})
    bext_chunk = layout.first(b"bext")
    report.format = "rf64" if layout.is_rf64 else "bwf" if bext_chunk else "wav"
    report.codec = fmt.codec
    report.sample_rate, report.channels = fmt.sample_rate, fmt.channels
    report.bit_depth = fmt.valid_bits if fmt.is_pcm else None
    report.bitrate = fmt.byte_rate * 8
    if fmt.is_pcm and fmt.block_align and fmt.sample_rate:
        report.duration_ms = data.available // fmt.block_align * 1000 // fmt.sample_rate
    elif fmt.byte_rate:
        report.duration_ms = data.available * 1000 // fmt.byte_rate
    for chunk in layout.chunks:
        if chunk.id in (b"id3 ", b"ID3 "):
            _id3_from_bytes(report, riff.read_body(handle, chunk))
        elif chunk.id == b"LIST":
            _riff_info(report, riff.read_body(handle, chunk, 1024 * 1024))
    if bext_chunk is not None:
        bext, notes = riff.parse_bext(riff.read_body(handle, bext_chunk), bext_chunk.size)
        report.bext = bext.as_dict()
        report.notes.extend(notes)
    ixml_chunk = layout.first(b"iXML")
    if ixml_chunk is not None:
        report.ixml, parsed = ixml.parse(riff.read_body(handle, ixml_chunk))
        if not parsed:
            report.notes.append(("ixml_invalid", {}))


def _riff_info(report: Report, body: bytes) -> None:
    if body[:4] != b"INFO":
        return
    position, found = 4, False
    while position + 8 <= len(body):
        key = body[position : position + 4]
        length = int.from_bytes(body[position + 4 : position + 8], "little")
        value = body[position + 8 : position + 8 + length]
        if all(0x20 <= b <= 0x7E for b in key):
            text = value.split(b"\x00", 1)[0]
            try:
                decoded = text.decode("utf-8")
            except UnicodeDecodeError:
                decoded = text.decode("latin-1")
            report.tags.add("INFO:" + key.decode("ascii"), [decoded])
            found = True
        position += 8 + length + (length & 1)
    if found and "riff-info" not in report.tag_systems:
        report.tag_systems.append("riff-info")


# --- AIFF -----------------------------------------------------------------------------------


def _aiff(path: str, handle: BinaryIO, size: int, report: Report) -> None:
    layout = aiff.parse_layout(handle, size)
    report.notes.extend(layout.notes)
    comm_chunk = layout.first(b"COMM")
    if comm_chunk is None:
        raise damaged("AIFF", "no COMM chunk")
    comm = aiff.parse_comm(riff.read_body(handle, comm_chunk, 4096), layout.form)
    ssnd = layout.first(b"SSND")
    if ssnd is None:
        raise BadAudio("no_audio", params={"format": "AIFF"})
    report.codec = comm.codec
    report.sample_rate, report.channels, report.bit_depth = (
        comm.sample_rate,
        comm.channels,
        comm.bits,
    )
    if comm.sample_rate > 0:
        report.duration_ms = comm.frames * 1000 // comm.sample_rate
        report.bitrate = comm.sample_rate * max(comm.channels, 0) * max(comm.bits, 0)
    for chunk in layout.chunks:
        if chunk.id in (b"ID3 ", b"id3 "):
            _id3_from_bytes(report, riff.read_body(handle, chunk))
        elif chunk.id in aiff.TEXT_CHUNKS:
            text = riff.read_body(handle, chunk, 64 * 1024).split(b"\x00", 1)[0]
            report.tags.add("AIFF:" + chunk.name, [text.decode("latin-1")])
            if "aiff-text" not in report.tag_systems:
                report.tag_systems.append("aiff-text")


# --- Formats read by mutagen ----------------------------------------------------------------


def _flac(path: str, handle: BinaryIO, size: int, report: Report) -> None:
    audio = mutagen("flac").FLAC(path)
    info = audio.info
    report.codec = "flac"
    report.sample_rate, report.channels = info.sample_rate, info.channels
    report.bit_depth, report.bitrate = info.bits_per_sample, info.bitrate
    report.seconds(info.length)
    if audio.tags is not None:
        report.tag_systems.append("vorbis")
        add_vorbis(report.tags, audio.tags)
    for picture in audio.pictures:
        report.tags.add("METADATA_BLOCK_PICTURE", [f"{picture.mime}, {len(picture.data)} bytes"])


def _mp3(path: str, handle: BinaryIO, size: int, report: Report) -> None:
    apev2 = mutagen("apev2")
    audio = mutagen("mp3").MP3(path)
    info = audio.info
    report.codec = "mp3"
    report.sample_rate, report.channels, report.bitrate = (
        info.sample_rate,
        info.channels,
        info.bitrate,
    )
    report.seconds(info.length)
    if audio.tags is not None:
        major, minor = audio.tags.version[:2]
        report.tag_systems.append(f"id3v{major}.{minor}")
        add_id3(report.tags, audio.tags)
    try:
        ape = apev2.APEv2(path)
    except apev2.APENoHeaderError:
        return
    except Exception:
        report.notes.append(("tag_unreadable", {"system": "APEv2"}))
        return
    report.tag_systems.append("apev2")
    for key, value in ape.items():
        report.tags.add("APE:" + key, [str(value)[:2000]])


def _ogg(path: str, handle: BinaryIO, size: int, report: Report) -> None:
    if report.format == "opus":
        opus = mutagen("oggopus").OggOpus(path)
        report.codec, report.sample_rate, report.channels = "opus", 48000, opus.info.channels
        report.seconds(opus.info.length)
        tags = opus.tags
    else:
        vorbis = mutagen("oggvorbis").OggVorbis(path)
        info = vorbis.info
        report.codec, report.sample_rate, report.channels = (
            "vorbis",
            info.sample_rate,
            info.channels,
        )
        report.bitrate = info.bitrate
        report.seconds(info.length)
        tags = vorbis.tags
    if tags is not None:
        report.tag_systems.append("vorbis")
        add_vorbis(report.tags, tags)


def _mp4(path: str, handle: BinaryIO, size: int, report: Report) -> None:
    audio = mutagen("mp4").MP4(path)
    info = audio.info
    codec = str(getattr(info, "codec", "") or "")
    report.codec = "aac" if codec.startswith("mp4a.40") else codec.lower() or "unknown"
    report.sample_rate, report.channels = info.sample_rate, info.channels
    report.bit_depth = info.bits_per_sample if report.codec == "alac" else None
    report.bitrate = info.bitrate
    report.seconds(info.length)
    if audio.tags is not None:
        report.tag_systems.append("mp4")
        add_mp4(report.tags, audio.tags)


_READERS = {
    "riff": _wav,
    "rf64": _wav,
    "aiff": _aiff,
    "flac": _flac,
    "mpeg": _mp3,
    "ogg": _ogg,
    "mp4": _mp4,
}
