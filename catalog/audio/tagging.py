"""Writing a rights-tagged copy, as run inside the sandbox.

MP3, AIFF, FLAC, Ogg Vorbis, Opus and M4A: the source is copied to the target and mutagen
edits the copy. WAV, BWF and RF64: our own chunk writer (:mod:`catalog.audio.riff`) builds
the target from the source, with new ``bext`` and ``iXML`` chunks before ``data`` and an
ID3v2.4 ``id3 `` chunk (rendered by mutagen) at the end. The source is only opened for
reading. Fields already in the source are kept unless they are ones we write.
"""

from __future__ import annotations

import io
import os
import shutil
import unicodedata
from collections.abc import Mapping
from typing import Any, BinaryIO

from catalog.audio import aiff, ixml, riff
from catalog.audio.errors import BadAudio, Param, damaged
from catalog.audio.sniff import LABELS, sniff
from catalog.audio.tagmap import ID3_FIELDS, MP4_FIELDS, VORBIS_FIELDS, mutagen

Metadata = Mapping[str, str]

# Lines of the iXML <USER> element: key, rights field.
IXML_USER_LINES = (
    ("ISRC", "isrc"),
    ("ISWC", "iswc"),
    ("TITLE", "title"),
    ("ARTIST", "artist"),
    ("COPYRIGHT", "c_line"),
    ("PRODUCEDNOTICE", "p_line"),
    ("LABEL", "label_name"),
    ("RIGHTS_HOLDER", "rights_holder"),
    ("CONTACT", "contact_email"),
    ("CONTACT", "contact_url"),
    ("LICENSE", "terms_url"),
)


class Record:
    """Which field went where, which could not be written, and anything else to say."""

    def __init__(self) -> None:
        self.written: list[dict[str, str]] = []
        self.skipped: list[dict[str, object]] = []
        self.notes: list[dict[str, object]] = []

    def wrote(self, field: str, place: str) -> None:
        self.written.append({"field": field, "place": place})

    def skip(self, field: str, place: str, code: str, **params: Param) -> None:
        self.skipped.append(
            {"field": field, "place": place, "code": code, "params": {"place": place, **params}}
        )

    def note(self, code: str, **params: Param) -> None:
        self.notes.append({"code": code, "params": params})

    def as_dict(self, fmt: str) -> dict[str, Any]:
        return {
            "format": fmt,
            "written": self.written,
            "not_written": self.skipped,
            "notes": self.notes,
        }


def _grouped(fields: Mapping[str, tuple[str, ...]], md: Metadata) -> list[tuple[str, list[str]]]:
    """(key, [fields with a value]) in a stable order, one entry per key."""
    keys: dict[str, list[str]] = {}
    for field, targets in fields.items():
        if md.get(field):
            for key in targets:
                keys.setdefault(key, []).append(field)
    return list(keys.items())


def tag_file(source: str, target: str, md: Metadata, now: Mapping[str, str]) -> dict[str, Any]:
    record = Record()
    with open(source, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        sniffed = sniff(handle, size)
        label = LABELS[sniffed.format]
        try:
            if sniffed.container in ("riff", "rf64"):
                fmt = _tag_wav(handle, size, target, md, now, record)
                return record.as_dict(fmt)
            if sniffed.container == "aiff":
                _check_aiff(handle, size)
            shutil.copyfile(source, target)
            _TAGGERS[sniffed.container](target, md, record, sniffed.format)
        except (BadAudio, MemoryError):
            raise
        except OSError as error:
            raise BadAudio("write_failed", detail=f"{type(error).__name__}: {error}") from None
        except Exception as error:
            raise damaged(label, f"{type(error).__name__}: {error}") from None
    return record.as_dict(sniffed.format)


# --- ID3 (MP3, AIFF, and the id3 chunk of WAV) ---------------------------------------------


def apply_id3(tags: Any, md: Metadata, record: Record) -> None:
    id3 = mutagen("id3")
    language = md.get("language") or "eng"
    for key, fields in _grouped(ID3_FIELDS, md):
        values = [md[field] for field in fields]
        if key == "USER":
            tags.delall(f"USER:{language}")
            tags.add(id3.USER(encoding=3, lang=language, text=values[0]))
            place = f"ID3v2.4 USER:{language}"
        elif key.startswith("TXXX:"):
            for existing in [k for k in tags if k.upper() == key.upper()]:
                del tags[existing]
            tags.add(id3.TXXX(encoding=3, desc=key[5:], text=values))
            place = f"ID3v2.4 {key}"
        elif key == "WCOP":
            tags.delall("WCOP")
            tags.add(id3.WCOP(url=values[0]))
            place = "ID3v2.4 WCOP"
        else:
            tags.delall(key)
            tags.add(id3.Frames[key](encoding=3, text=values))
            place = f"ID3v2.4 {key}"
        for field in fields:
            record.wrote(field, place)


def _note_upgrade(tags: Any, record: Record) -> None:
    if tags.version[0] == 2 and tags.version[1] < 4:
        record.note("id3_upgraded", version=tags.version[1])


def _tag_id3_file(target: str, md: Metadata, record: Record, fmt: str) -> None:
    audio = mutagen("mp3").MP3(target) if fmt == "mp3" else mutagen("aiff").AIFF(target)
    if audio.tags is None:
        audio.add_tags()
    else:
        _note_upgrade(audio.tags, record)
    apply_id3(audio.tags, md, record)
    audio.save(v2_version=4)


def _check_aiff(handle: BinaryIO, size: int) -> None:
    """mutagen appends its ID3 chunk at the end: after a cut-off chunk it would land inside
    that chunk's declared extent, so damaged AIFF files are refused first."""
    layout = aiff.parse_layout(handle, size)
    ssnd = layout.first(b"SSND")
    if ssnd is None or layout.first(b"COMM") is None:
        raise BadAudio("no_audio", params={"format": "AIFF"})
    if ssnd.available < ssnd.size:
        raise BadAudio(
            "truncated",
            params={"format": "AIFF", "declared": ssnd.size, "available": ssnd.available},
        )
    if any(chunk.available < chunk.size for chunk in layout.chunks):
        raise damaged("AIFF", "a chunk runs past the end of the file")


def render_id3(existing: bytes | None, md: Metadata, record: Record) -> bytes:
    id3 = mutagen("id3")
    tags = id3.ID3()
    if existing is not None:
        try:
            tags.load(io.BytesIO(existing), load_v1=False)
            _note_upgrade(tags, record)
        except Exception:
            tags = id3.ID3()
            record.note("id3_replaced")
    apply_id3(tags, md, record)
    out = io.BytesIO()
    tags.save(out, v1=0, v2_version=4)
    return out.getvalue()


# --- Vorbis comments and MP4 atoms ---------------------------------------------------------


def _tag_vorbis(target: str, md: Metadata, record: Record, fmt: str) -> None:
    module, name = {"flac": ("flac", "FLAC"), "ogg": ("oggvorbis", "OggVorbis"),
                    "opus": ("oggopus", "OggOpus")}[fmt]  # fmt: skip
    audio = getattr(mutagen(module), name)(target)
    if audio.tags is None:
        audio.add_tags()
    for key, fields in _grouped(VORBIS_FIELDS, md):
        audio.tags[key] = [md[field] for field in fields]
        for field in fields:
            record.wrote(field, f"Vorbis comment {key}")
    audio.save()


def _mp4_text(key: str, field: str, value: str) -> str:
    if field == "c_line":
        return f"\N{COPYRIGHT SIGN} {value}"
    if field == "p_line":
        return f"\N{SOUND RECORDING COPYRIGHT} {value}"
    return value


def _tag_mp4(target: str, md: Metadata, record: Record, fmt: str) -> None:
    mp4 = mutagen("mp4")
    audio = mp4.MP4(target)
    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    for key, fields in _grouped(MP4_FIELDS, md):
        values = [_mp4_text(key, field, md[field]) for field in fields]
        for existing in [k for k in tags if k.lower() == key.lower()]:
            del tags[existing]
        if key.startswith("----:"):
            tags[key] = [
                mp4.MP4FreeForm(v.encode("utf-8"), dataformat=mp4.AtomDataType.UTF8) for v in values
            ]
        else:
            tags[key] = values
        for field in fields:
            record.wrote(field, f"MP4 {key}")
    audio.save()


_TAGGERS = {
    "mpeg": _tag_id3_file,
    "aiff": _tag_id3_file,
    "flac": _tag_vorbis,
    "ogg": _tag_vorbis,
    "mp4": _tag_mp4,
}


# --- WAV / BWF / RF64 ----------------------------------------------------------------------


def ascii_fit(value: str, width: int, place: str, field: str, record: Record) -> str | None:
    """``value`` as ASCII of at most ``width`` characters, or None (and why) if it is not."""
    text = value
    if not text.isascii():
        folded = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
        if not folded.isascii():
            record.skip(field, place, "not_ascii")
            return None
        text = folded
    if len(text) > width:
        record.skip(field, place, "too_long", limit=width)
        return None
    if text != value:
        record.note("transliterated", place=place)
    return text


def _bext(
    existing: riff.Bext | None,
    fmt: riff.WaveFormat | None,
    md: Metadata,
    now: Mapping[str, str],
    record: Record,
) -> riff.Bext:
    bext = existing or riff.Bext()
    fits = (
        ("reservation_note", "description", 256, "bext Description"),
        ("label_name", "originator", 32, "bext Originator"),
        ("rights_holder", "originator", 32, "bext Originator"),
        ("isrc", "originator_reference", 32, "bext OriginatorReference"),
    )
    for field, attribute, width, place in fits:
        value = md.get(field)
        if not value or (
            attribute == "originator" and field == "rights_holder" and md.get("label_name")
        ):
            continue
        text = ascii_fit(value, width, place, field, record)
        if text is not None:
            setattr(bext, attribute, text)
            record.wrote(field, place)
    if not bext.origination_date or not bext.origination_date.isascii():
        bext.origination_date, bext.origination_time = now["date"], now["time"]
    bext.origination_date = bext.origination_date[:10]
    bext.origination_time = (
        bext.origination_time[:8] if bext.origination_time.isascii() else now["time"]
    )
    if not bext.coding_history.strip(b"\x00") and fmt is not None and fmt.tag == 1:
        mode = {1: "mono", 2: "stereo"}.get(fmt.channels, "multitrack")
        bext.coding_history = f"A=PCM,F={fmt.sample_rate},W={fmt.valid_bits},M={mode}\r\n".encode()
    return bext


def _ixml_user(md: Metadata) -> str | None:
    lines = [f"{key}={md[field]}" for key, field in IXML_USER_LINES if md.get(field)]
    return "\n".join(lines) if lines else None


def _tag_wav(
    handle: BinaryIO, size: int, target: str, md: Metadata, now: Mapping[str, str], record: Record
) -> str:
    layout = riff.parse_layout(handle, size)
    fmt_chunk = layout.first(b"fmt ")
    fmt = riff.parse_fmt(riff.read_body(handle, fmt_chunk, 4096)) if fmt_chunk else None
    old_bext = layout.first(b"bext")
    existing_bext = (
        riff.parse_bext(riff.read_body(handle, old_bext), old_bext.size)[0]
        if old_bext is not None and old_bext.available == old_bext.size
        else None
    )
    bext = _bext(existing_bext, fmt, md, now, record)
    try:
        bext_body = riff.build_bext(bext)
    except (ValueError, UnicodeEncodeError):  # a kept field of the source that is not ASCII
        bext = _bext(None, fmt, md, now, record)
        bext_body = riff.build_bext(bext)
    old_ixml = layout.first(b"iXML")
    ixml_body, discarded = ixml.build(
        riff.read_body(handle, old_ixml) if old_ixml is not None else None,
        note=md.get("reservation_note") or None,
        user=_ixml_user(md),
        bext={k: getattr(bext, k) for k in ixml.BEXT_MIRROR},
    )
    if discarded:
        record.note("ixml_replaced")
    if md.get("reservation_note"):
        record.wrote("reservation_note", "iXML NOTE")
    for _key, field in IXML_USER_LINES:
        if md.get(field):
            record.wrote(field, "iXML USER")
    old_id3 = layout.first(b"id3 ")
    id3_body = render_id3(
        riff.read_body(handle, old_id3) if old_id3 is not None else None, md, record
    )
    pieces, notes = riff.plan_pieces(
        layout,
        replace=(b"bext", b"iXML", b"id3 "),
        before_data=(riff.NewChunk(b"bext", bext_body), riff.NewChunk(b"iXML", ixml_body)),
        at_end=(riff.NewChunk(b"id3 ", id3_body),),
    )
    notes += riff.write_layout(handle, target, layout, pieces)
    for code, params in notes:
        record.note(code, **params)
    return "rf64" if layout.is_rf64 or ("upgraded_to_rf64", {}) in notes else "bwf"
