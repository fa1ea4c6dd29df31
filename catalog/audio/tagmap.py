"""Where each rights field goes in each tag system, and how existing tags become plain
``{key: [str, ...]}`` dictionaries that keep the raw frame/atom/field ids.

Runs inside the sandbox (imports mutagen, not Django).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

MAX_KEYS = 256
MAX_VALUES = 32
MAX_VALUE_CHARS = 2000

ITUNES = "----:com.apple.iTunes:"

# Rights field -> keys written, per tag system. Values of fields listed together under one
# key (contact e-mail and URL) go into one multi-valued key.
ID3_FIELDS: dict[str, tuple[str, ...]] = {
    "isrc": ("TSRC",),
    "iswc": ("TXXX:ISWC",),
    "title": ("TIT2",),
    "artist": ("TPE1",),
    "c_line": ("TCOP",),
    "p_line": ("TPRO",),
    "label_name": ("TPUB",),
    "rights_holder": ("TOWN", "TXXX:RIGHTS_HOLDER"),
    "contact_email": ("TXXX:CONTACT",),
    "contact_url": ("TXXX:CONTACT",),
    "terms_url": ("WCOP", "TXXX:LICENSE"),
    "reservation_note": ("USER", "TXXX:RIGHTS_RESERVATION"),
}
VORBIS_FIELDS: dict[str, tuple[str, ...]] = {
    "isrc": ("ISRC",),
    "iswc": ("ISWC",),
    "title": ("TITLE",),
    "artist": ("ARTIST",),
    "c_line": ("COPYRIGHT",),
    "p_line": ("PRODUCEDNOTICE",),
    "label_name": ("ORGANIZATION",),
    "rights_holder": ("RIGHTS_HOLDER",),
    "contact_email": ("CONTACT",),
    "contact_url": ("CONTACT",),
    "terms_url": ("LICENSE",),
    "reservation_note": ("RIGHTS_RESERVATION",),
}
MP4_FIELDS: dict[str, tuple[str, ...]] = {
    "isrc": (ITUNES + "ISRC",),
    "iswc": (ITUNES + "ISWC",),
    "title": ("\xa9nam",),
    "artist": ("\xa9ART",),
    "c_line": ("cprt",),
    "p_line": (ITUNES + "PRODUCEDNOTICE",),
    "label_name": (ITUNES + "LABEL",),
    "rights_holder": (ITUNES + "RIGHTS_HOLDER",),
    "contact_email": (ITUNES + "CONTACT",),
    "contact_url": (ITUNES + "CONTACT",),
    "terms_url": (ITUNES + "LICENSE",),
    "reservation_note": (ITUNES + "RIGHTS_RESERVATION",),
}

# Friendly names for reading: raw key (upper-cased) -> common name.
_COMMON = {
    "isrc": {"TSRC", "ISRC", ITUNES.upper() + "ISRC"},
    "iswc": {"TXXX:ISWC", "ISWC", ITUNES.upper() + "ISWC"},
    "title": {"TIT2", "TITLE", "\xa9NAM", "INFO:INAM", "AIFF:NAME"},
    "artist": {"TPE1", "ARTIST", "\xa9ART", "INFO:IART", "AIFF:AUTH"},
    "album": {"TALB", "ALBUM", "\xa9ALB", "INFO:IPRD"},
    "copyright": {"TCOP", "COPYRIGHT", "CPRT", "INFO:ICOP", "AIFF:(C) "},
    "produced_notice": {"TPRO", "PRODUCEDNOTICE", ITUNES.upper() + "PRODUCEDNOTICE"},
    "label": {"TPUB", "ORGANIZATION", "LABEL", ITUNES.upper() + "LABEL"},
    "rights_holder": {
        "TOWN",
        "TXXX:RIGHTS_HOLDER",
        "RIGHTS_HOLDER",
        ITUNES.upper() + "RIGHTS_HOLDER",
    },
    "contact": {"TXXX:CONTACT", "CONTACT", ITUNES.upper() + "CONTACT"},
    "license": {"WCOP", "TXXX:LICENSE", "LICENSE", ITUNES.upper() + "LICENSE"},
    "reservation": {
        "TXXX:RIGHTS_RESERVATION",
        "RIGHTS_RESERVATION",
        ITUNES.upper() + "RIGHTS_RESERVATION",
    },
}
_COMMON_BY_KEY = {key: name for name, keys in _COMMON.items() for key in keys}


def clean_text(text: str) -> str:
    """Text that JSON, PostgreSQL and the ledger all accept: no NULs, no lone surrogates."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def mutagen(module: str) -> Any:
    """A mutagen module, typed as Any: its partial annotations do not pass mypy --strict."""
    return importlib.import_module(f"mutagen.{module}")


class TagDict:
    """Collects tag values with caps on keys, values and lengths."""

    def __init__(self) -> None:
        self.values: dict[str, list[str]] = {}
        self.truncated = False

    def add(self, key: str, values: Iterable[object]) -> None:
        if key not in self.values and len(self.values) >= MAX_KEYS:
            self.truncated = True
            return
        bucket = self.values.setdefault(clean_text(key[:200]), [])
        for value in values:
            if len(bucket) >= MAX_VALUES:
                self.truncated = True
                return
            text = clean_text(str(value))
            if len(text) > MAX_VALUE_CHARS:
                text, self.truncated = text[:MAX_VALUE_CHARS], True
            bucket.append(text)


def common_fields(tags: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Friendly names (isrc, title, copyright, ...) for the tags a file already has."""
    found: dict[str, list[str]] = {}
    for key, values in tags.items():
        upper = key.upper()
        name = _COMMON_BY_KEY.get(upper)
        if name is None and upper.startswith("USER:"):
            name = "terms_of_use"
        if name is not None:
            found.setdefault(name, []).extend(v for v in values if v not in found.get(name, []))
    return found


def id3_values(frame: Any) -> list[object]:
    """The text of one mutagen ID3 frame, whatever its kind."""
    id3 = mutagen("id3")
    if isinstance(frame, id3.TextFrame | id3.NumericTextFrame):
        return list(frame.text)
    if isinstance(frame, id3.UrlFrame):
        return [frame.url]
    if isinstance(frame, id3.APIC):
        return [f"{frame.mime}, {len(frame.data)} bytes"]
    if isinstance(frame, id3.GEOB | id3.PRIV | id3.UFID):
        return [f"{len(frame.data)} bytes"]
    text = getattr(frame, "text", None)
    if isinstance(text, str):
        return [text]
    if isinstance(text, list):
        return list(text)
    return [frame.pprint()[:MAX_VALUE_CHARS]]


def add_id3(target: TagDict, tags: Any, prefix: str = "") -> None:
    for frame in tags.values():
        target.add(prefix + frame.HashKey, id3_values(frame))


def add_vorbis(target: TagDict, pairs: Iterable[tuple[str, str]]) -> None:
    for key, value in pairs:
        target.add(key.upper(), [value])


def mp4_value(value: Any) -> str:
    mp4 = mutagen("mp4")
    if isinstance(value, mp4.MP4Cover):
        return f"image, {len(value)} bytes"
    if isinstance(value, mp4.MP4FreeForm | bytes):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, tuple):
        return "/".join(str(v) for v in value)
    return str(value)


def add_mp4(target: TagDict, tags: Any) -> None:
    for key, values in tags.items():
        items = values if isinstance(values, list) else [values]
        target.add(key, [mp4_value(v) for v in items])
