"""Import fields and the column names distributors use for them (standards.md §2.8).

Headers are compared after folding case, spaces, underscores and a few symbols, so
``Asset ISRC``, ``asset_isrc`` and ``ASSET-ISRC`` are the same name. Labels add their
own names in the catalog settings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

FIELDS: dict[str, tuple[str, ...]] = {
    "isrc": ("isrc", "asset isrc", "optional isrc", "track isrc", "isrc code"),
    "title": (
        "title",
        "track title",
        "track name",
        "song title",
        "asset title",
        "song name",
        "track",
        "song",
        "recording title",
    ),
    "version": ("version", "asset version", "version title", "mix", "mix name", "subtitle"),
    "artist": (
        "artist",
        "artist name",
        "display artist",
        "track artist",
        "asset artist",
        "main artist",
        "primary artist",
    ),
    "duration": ("duration", "asset duration", "length", "track duration", "track length"),
    "iswc": ("iswc", "work iswc", "asset iswc"),
    "work_title": ("work title", "work", "composition title", "composition"),
    "p_line": (
        "p line",
        "pline",
        "℗ line",
        "(p) line",
        "p-line",
        "track p line",
        "phonographic copyright",
    ),
    "upc": (
        "upc",
        "barcode",
        "ean",
        "product upc",
        "upc/ean",
        "ean/upc",
        "icpn",
        "release upc",
        "album upc",
    ),
    "grid": ("grid", "release grid", "grid id"),
    "proprietary_id": ("proprietary id", "release proprietary id", "proprietary release id"),
    "proprietary_namespace": ("proprietary id namespace", "proprietary namespace"),
    "release_title": (
        "release title",
        "album name",
        "album title",
        "album",
        "release",
        "product title",
        "release name",
    ),
    "release_type": ("release type", "product type", "album type"),
    "release_date": (
        "release date",
        "original release date",
        "street date",
        "digital release date",
        "product release date",
    ),
    "release_artist": ("release artist", "product artist", "album artist"),
    "catalog_number": (
        "catalog number",
        "catalogue number",
        "cat no",
        "catalog no",
        "release catalog nb",
        "product catalog number",
        "cat #",
        "catalog #",
    ),
    "c_line": ("c line", "cline", "© line", "(c) line", "c-line", "copyright line"),
    "territories": (
        "territories",
        "territory",
        "territory codes",
        "countries",
        "release territories",
    ),
    "disc_number": ("disc", "disc number", "disc no", "volume", "volume number"),
    "track_number": (
        "track number",
        "track no",
        "track #",
        "track position",
        "position",
        "sequence",
    ),
}

_FOLD = re.compile(r"[\s_\-.]+")


def fold(name: str) -> str:
    return _FOLD.sub(" ", name.replace("\ufeff", "").strip().lower()).strip()


def map_header(
    header: Sequence[str], extra_aliases: Mapping[str, Sequence[str]] | None = None
) -> dict[str, int]:
    """Field → column index. The label's own aliases win over the built-in ones; the
    first column that matches a field takes it."""
    by_name: dict[str, str] = {}
    for field, names in (extra_aliases or {}).items():
        if field in FIELDS:
            for name in names:
                by_name.setdefault(fold(name), field)
    for field, names in FIELDS.items():
        by_name.setdefault(fold(field), field)
        for name in names:
            by_name.setdefault(fold(name), field)
    mapping: dict[str, int] = {}
    for index, column in enumerate(header):
        found = by_name.get(fold(column))
        if found is not None and found not in mapping:
            mapping[found] = index
    return mapping
