"""What the public functions return: :class:`AudioInfo`, :class:`TaggedCopy` and their parts.

All of them convert to and from JSON-safe dictionaries without floats (``as_dict`` /
``from_dict``), so they can be stored in a JSONField and put in custody-ledger entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.audio.messages import render
from catalog.audio.sniff import EXTENSIONS, LABELS, MEDIA_TYPES


@dataclass(frozen=True)
class Note:
    """Something odd about a file (or about a tagged copy), as a code and parameters."""

    code: str
    params: dict[str, str | int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The sentence in the active language."""
        return render(self.code, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Note:
        params = {str(k): v for k, v in dict(data.get("params") or {}).items()
                  if isinstance(v, str | int)}  # fmt: skip
        return cls(str(data["code"]), params)


@dataclass(frozen=True)
class AudioInfo:
    """What :func:`catalog.audio.probe` found in a file."""

    format: str
    """wav, bwf, rf64, aiff, flac, mp3, ogg (Vorbis), opus or m4a: from the bytes."""
    codec: str
    """ffmpeg-style codec name: pcm_s16le, pcm_s24be, flac, mp3, vorbis, opus, aac, alac..."""
    size: int
    sample_rate: int | None = None
    channels: int | None = None
    bit_depth: int | None = None
    duration_ms: int | None = None
    bitrate: int | None = None
    """Bits per second (nominal for Vorbis, average for VBR MP3)."""
    tags: dict[str, list[str]] = field(default_factory=dict)
    """Existing tags by raw id: ``TSRC``, ``TXXX:ISWC``, ``USER:eng`` (ID3), ``ISRC`` (Vorbis,
    upper-cased), ``cprt``/``----:com.apple.iTunes:ISRC`` (MP4), ``INFO:ICOP`` (RIFF INFO),
    ``APE:Title`` (APEv2), ``AIFF:NAME`` (AIFF text chunks)."""
    tag_systems: list[str] = field(default_factory=list)
    """id3v2.3, id3v2.4, id3v1.1, vorbis, mp4, apev2, riff-info, aiff-text."""
    common: dict[str, list[str]] = field(default_factory=dict)
    """The same tags under friendly names: isrc, iswc, title, artist, album, copyright,
    produced_notice, label, rights_holder, contact, license, reservation, terms_of_use."""
    bext: dict[str, Any] | None = None
    """BWF ``bext`` fields (description, originator, originator_reference,
    origination_date, origination_time, time_reference, version, umid, loudness,
    coding_history, size)."""
    ixml: dict[str, Any] | None = None
    """``{"raw": text, "fields": {element: text}}`` of the iXML chunk."""
    notes: list[Note] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.format]

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "media_type": self.media_type,
            "codec": self.codec,
            "size": self.size,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "bit_depth": self.bit_depth,
            "duration_ms": self.duration_ms,
            "bitrate": self.bitrate,
            "tags": {k: list(v) for k, v in self.tags.items()},
            "tag_systems": list(self.tag_systems),
            "common": {k: list(v) for k, v in self.common.items()},
            "bext": self.bext,
            "ixml": self.ixml,
            "notes": [note.as_dict() for note in self.notes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AudioInfo:
        def number(key: str) -> int | None:
            value = data.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        fmt = str(data["format"])
        if fmt not in LABELS:
            raise ValueError(f"unknown format {fmt!r}")
        return cls(
            format=fmt,
            codec=str(data.get("codec") or ""),
            size=int(data["size"]),
            sample_rate=number("sample_rate"),
            channels=number("channels"),
            bit_depth=number("bit_depth"),
            duration_ms=number("duration_ms"),
            bitrate=number("bitrate"),
            tags={str(k): [str(x) for x in v] for k, v in dict(data.get("tags") or {}).items()},
            tag_systems=[str(x) for x in data.get("tag_systems") or []],
            common={str(k): [str(x) for x in v] for k, v in dict(data.get("common") or {}).items()},
            bext=dict(data["bext"]) if isinstance(data.get("bext"), dict) else None,
            ixml=dict(data["ixml"]) if isinstance(data.get("ixml"), dict) else None,
            notes=[Note.from_dict(n) for n in data.get("notes") or []],
        )


@dataclass(frozen=True)
class Placement:
    """One rights field written into one place (e.g. ``isrc`` → ``ID3v2.4 TSRC``)."""

    field: str
    place: str


@dataclass(frozen=True)
class Omission:
    """One rights field that could not be written into one place, and why."""

    field: str
    place: str
    note: Note

    @property
    def reason(self) -> str:
        return self.note.message


@dataclass(frozen=True)
class TaggedCopy:
    """What :func:`catalog.audio.write_tagged_copy` wrote."""

    path: Path
    format: str
    size: int
    payload_sha256: str
    """The same for the source and this copy (checked before returning)."""
    written: list[Placement]
    not_written: list[Omission]
    notes: list[Note]

    def places(self, field_name: str) -> list[str]:
        return [p.place for p in self.written if p.field == field_name]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "size": self.size,
            "payload_sha256": self.payload_sha256,
            "written": [{"field": p.field, "place": p.place} for p in self.written],
            "not_written": [
                {"field": o.field, "place": o.place, **o.note.as_dict()} for o in self.not_written
            ],
            "notes": [note.as_dict() for note in self.notes],
        }
