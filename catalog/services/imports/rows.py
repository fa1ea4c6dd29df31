"""Turning one raw row (strings by field) into a validated, normalised import row.

A row either becomes an ``ImportRow`` or a list of ``RowError`` naming the column and
the reason; both the CSV and the DDEX reader go through ``validate_row``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog import identifiers
from catalog.models import Release

# Longest values the model columns hold.
LIMITS = {
    "title": 500,
    "version": 200,
    "artist": 500,
    "work_title": 500,
    "p_line": 300,
    "release_title": 500,
    "release_artist": 500,
    "catalog_number": 100,
    "c_line": 300,
}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str


class ImportRow(NamedTuple):
    """One validated row, in the column order of the staging table."""

    seq: int
    isrc: str | None
    title: str | None
    version: str | None
    artist: str | None
    duration_ms: int | None
    iswc: str | None
    work_title: str | None
    p_line: str | None
    upc: str | None
    release_title: str | None
    release_type: str | None
    release_date: date | None
    release_artist: str | None
    catalog_number: str | None
    c_line: str | None
    territories: str | None
    excluded_territories: str | None
    disc_number: int | None
    track_number: int | None


STAGE_COLUMNS = ImportRow._fields

_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?T?(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?$"
)
_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$")


def parse_duration(text: str) -> int:
    """``PT3M30S`` (DDEX), ``3:30``/``1:03:30`` or plain seconds → milliseconds."""
    text = text.strip()
    seconds: float
    iso = _ISO_DURATION.match(text.upper())
    if iso and text.upper() not in {"P", "PT"}:
        parts = {k: float(v) if v else 0.0 for k, v in iso.groupdict().items()}
        seconds = parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]
    elif clock := _CLOCK.match(text):
        hours, minutes, secs = clock.groups()
        seconds = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
    else:
        try:
            seconds = float(text.replace(",", "."))
        except ValueError:
            raise ValueError(text) from None
    if not 0 < seconds <= 24 * 3600:
        raise ValueError(text)
    return round(seconds * 1000)


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d")


def parse_date(text: str) -> date:
    text = text.strip()
    # "3/1/2024 12:00:00 AM" (CD Baby) and ISO date-times: the date part is enough.
    head = text.split("T")[0].split(" ")[0]
    if re.fullmatch(r"\d{4}", head):
        return date(int(head), 1, 1)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()  # noqa: DTZ007  (a calendar date)
        except ValueError:
            continue
    raise ValueError(text)


_RELEASE_TYPES = {
    "single": Release.Type.SINGLE,
    "ep": Release.Type.EP,
    "album": Release.Type.ALBUM,
    "lp": Release.Type.ALBUM,
    "compilation": Release.Type.COMPILATION,
    "classicalalbum": Release.Type.ALBUM,
    "videosingle": Release.Type.SINGLE,
}


def release_type(text: str) -> str:
    return _RELEASE_TYPES.get(re.sub(r"[\s_\-]", "", text.lower()), Release.Type.OTHER)


def _territories(text: str) -> str | None:
    codes = identifiers.normalize_territories(text)
    return json.dumps(codes) if codes else None


def _number(text: str) -> int:
    value = int(text.strip())
    if not 1 <= value <= 32767:
        raise ValueError(text)
    return value


def _isrc(text: str) -> str:
    return identifiers.normalize_isrc(text.strip())


def _upc(text: str) -> str:
    return identifiers.normalize_gtin13(text.strip(), pad_short=True)


def _iswc(text: str) -> str:
    return identifiers.normalize_iswc(text.strip())


_CONVERTERS: dict[str, tuple[Callable[[str], object], Callable[[str], str]]] = {
    "isrc": (_isrc, lambda v: ""),
    "upc": (_upc, lambda v: ""),
    "iswc": (_iswc, lambda v: ""),
    "duration": (
        parse_duration,
        lambda v: (
            _("“%(value)s” is not a duration: write 3:45, 225 (seconds) or PT3M45S.") % {"value": v}
        ),
    ),
    "release_date": (
        parse_date,
        lambda v: _("“%(value)s” is not a date: write YYYY-MM-DD.") % {"value": v},
    ),
    "territories": (_territories, lambda v: ""),
    "excluded_territories": (_territories, lambda v: ""),
    "disc_number": (
        _number,
        lambda v: _("“%(value)s” is not a disc number (a whole number from 1).") % {"value": v},
    ),
    "track_number": (
        _number,
        lambda v: _("“%(value)s” is not a track number (a whole number from 1).") % {"value": v},
    ),
}


_POSITION = {name: index for index, name in enumerate(STAGE_COLUMNS)}
_TARGET = {
    **{name: _POSITION[name] for name in STAGE_COLUMNS if name != "seq"},
    "artist": _POSITION["artist"],
    "duration": _POSITION["duration_ms"],
}
_WORLDWIDE_JSON = json.dumps([identifiers.WORLDWIDE])


def validate_row(
    row_number: int, raw: Mapping[str, str], columns: Mapping[str, str]
) -> ImportRow | list[RowError]:
    """``raw`` holds the row's non-empty values by field; ``columns`` names each field's
    column (or element path) for the error report."""
    errors: list[RowError] = []
    out: list[object] = [None] * len(STAGE_COLUMNS)
    out[0] = row_number
    for field, text in raw.items():
        target = _TARGET.get(field)
        if target is None:
            continue
        converter = _CONVERTERS.get(field)
        if converter is not None:
            convert, message = converter
            try:
                out[target] = convert(text)
            except ValidationError as exc:
                errors.append(
                    RowError(row_number, columns.get(field, field), text, " ".join(exc.messages))
                )
            except ValueError:
                errors.append(RowError(row_number, columns.get(field, field), text, message(text)))
            continue
        limit = LIMITS.get(field)
        if limit is not None and len(text) > limit:
            errors.append(
                RowError(
                    row_number,
                    columns.get(field, field),
                    text[:80] + "…",
                    _("Longer than %(n)d characters.") % {"n": limit},
                )
            )
            continue
        out[target] = text
    if "isrc" not in raw and "upc" not in raw:
        errors.append(
            RowError(
                row_number,
                columns.get("isrc", "isrc"),
                "",
                _("The row has neither an ISRC (recording) nor a UPC/EAN (release)."),
            )
        )
    elif "isrc" in raw and "title" not in raw:
        errors.append(
            RowError(row_number, columns.get("title", "title"), "", _("A recording needs a title."))
        )
    if "excluded_territories" in raw and out[_POSITION["territories"]] != _WORLDWIDE_JSON:
        errors.append(
            RowError(
                row_number,
                columns.get("excluded_territories", "excluded_territories"),
                raw["excluded_territories"],
                _("Exclusions need “Worldwide” as the territory (worldwide except these)."),
            )
        )
    if errors:
        return errors
    kind = out[_POSITION["release_type"]]
    if isinstance(kind, str):
        out[_POSITION["release_type"]] = release_type(kind)
    return ImportRow._make(out)
