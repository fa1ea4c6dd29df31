"""Turning one raw row (strings by field) into a validated, normalised import row.

``validate_row`` returns the ``ImportRow`` (or ``None``) and the problems found, each
naming the column and the reason; both the CSV and the DDEX reader go through it.

What a bad value costs (what is valid is kept, what is not is reported):

* The row's own record cannot be made (no ISRC/title for a recording; no valid release
  identifier on a release-only row; a malformed ISRC): the row is **rejected**.
* A bad release identifier, disc or track number on a recording row: the recording is
  imported, the release values of that row are dropped (nothing is linked to that
  release) and the problem is a **warning**.
* A bad ISWC: the recording is imported without a work link (work title dropped too).
* Any other bad value (duration, date, territories, a text that is too long): only that
  value is dropped, as a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
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


# The report's severity column holds these tokens (like its header, not translated).
REJECTED = "rejected"
WARNING = "warning"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str
    severity: str = REJECTED


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
    grid: str | None
    proprietary_namespace: str | None
    proprietary_id: str | None
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


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%Y%m%d")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
DAY_FIRST = "day_first"
MONTH_FIRST = "month_first"


def _date_head(text: str) -> str:
    # "3/1/2024 12:00:00 AM" (CD Baby) and ISO date-times: the date part is enough.
    return text.strip().split("T")[0].split(" ")[0]


def slashed_order(text: str) -> str | None:
    """``DAY_FIRST`` or ``MONTH_FIRST`` when a slashed date can only be read one way."""
    found = _SLASHED.match(_date_head(text))
    if found is None:
        return None
    first, second = int(found.group(1)), int(found.group(2))
    if first > 12 >= second:
        return DAY_FIRST
    if second > 12 >= first:
        return MONTH_FIRST
    return None


class SlashedDates:
    """How a file writes ``04/03/2024``: decided by the dates of the same column that
    can only be read one way (a first number above 12 means day/month; a second number
    above 12 means month/day). ``values`` yields that column; it is only read when an
    ambiguous date turns up. Files whose dates settle nothing, or contradict each
    other, get a per-row message naming both readings."""

    def __init__(self, values: Callable[[], Iterable[str]] | None = None) -> None:
        self._values = values
        self._order: str | None = None
        self._decided = values is None

    @property
    def order(self) -> str | None:
        if not self._decided:
            self._decided = True
            votes = {slashed_order(v) for v in self._values()} if self._values else set()
            votes.discard(None)
            self._order = votes.pop() if len(votes) == 1 else None
        return self._order

    def parse(self, text: str) -> date:
        head = _date_head(text)
        found = _SLASHED.match(head)
        if found is None:
            return parse_date(text)
        first, second, year = (int(g) for g in found.groups())
        own = slashed_order(head)
        if own is None and first != second:
            own = self.order
            if own is None:
                raise ValidationError(
                    _(
                        "“%(value)s” can be read as %(day_first)s (day/month) or as "
                        "%(month_first)s (month/day), and no other date in this column "
                        "settles which; write YYYY-MM-DD."
                    )
                    % {
                        "value": text,
                        "day_first": _iso(year, second, first),
                        "month_first": _iso(year, first, second),
                    },
                    code="date_ambiguous",
                )
        day, month = (first, second) if own in (DAY_FIRST, None) else (second, first)
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(text) from None


def _iso(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(text: str) -> date:
    """ISO dates, ``YYYY``, ``DD.MM.YYYY``, ``YYYYMMDD``; slashed dates only when the
    day and month cannot be swapped (see ``SlashedDates`` for the rest)."""
    head = _date_head(text)
    if re.fullmatch(r"\d{4}", head):
        return date(int(head), 1, 1)
    if _SLASHED.match(head):
        return SlashedDates().parse(head)
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
    "singleresourcerelease": Release.Type.SINGLE,
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


def _no_message(value: str) -> str:
    return ""


_CONVERTERS: dict[str, tuple[Callable[[str], object], Callable[[str], str]]] = {
    "isrc": (_isrc, _no_message),
    "upc": (_upc, _no_message),
    "grid": (identifiers.normalize_grid, _no_message),
    "iswc": (_iswc, _no_message),
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
    "territories": (_territories, _no_message),
    "excluded_territories": (_territories, _no_message),
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
_NAMESPACE = _POSITION["proprietary_namespace"]
_TERRITORIES = _POSITION["territories"]
_EXCLUDED = _POSITION["excluded_territories"]
_RELEASE_TYPE = _POSITION["release_type"]

RELEASE_KEYS = ("upc", "grid", "proprietary_id")
# The values that describe the row's release (and its place on it) rather than the recording.
RELEASE_FIELDS = frozenset(
    {
        *RELEASE_KEYS,
        "proprietary_namespace",
        "release_title",
        "release_type",
        "release_date",
        "release_artist",
        "catalog_number",
        "c_line",
        "territories",
        "excluded_territories",
        "disc_number",
        "track_number",
    }
)
_RELEASE_BREAKERS = frozenset({*RELEASE_KEYS, "disc_number", "track_number"})
_RECORDING_KEYS = frozenset({"isrc", "title"})


def _dropped_because(field: str, *, recording: bool) -> str:
    if recording and field in _RELEASE_BREAKERS:
        return _("The recording was imported; nothing was linked to this release.")
    if field == "iswc":
        return _("The recording was imported without a link to this work.")
    return _("The rest of the row was imported without this value.")


def validate_row(
    row_number: int,
    raw: Mapping[str, str],
    columns: Mapping[str, str],
    *,
    dates: SlashedDates | None = None,
    missing_title: str = "",
) -> tuple[ImportRow | None, list[RowError]]:
    """The row (``None`` when it is rejected) and its problems.

    ``raw`` holds the row's non-empty values by field; ``columns`` names each field's
    column (or element path) for the report; ``dates`` reads slashed dates by the
    file's convention; ``missing_title`` explains a missing title (a CSV without a
    title column says which columns it has)."""
    problems: dict[str, tuple[str, str]] = {}  # field → (value, reason)
    out: list[object] = [None] * len(STAGE_COLUMNS)
    out[0] = row_number
    for field, text in raw.items():
        target = _TARGET.get(field)
        if target is None:
            continue
        converter = _CONVERTERS.get(field)
        if converter is None:
            if field == "proprietary_id":
                try:
                    out[_NAMESPACE], out[target] = identifiers.normalize_proprietary_id(
                        text, namespace=raw.get("proprietary_namespace", "")
                    )
                except ValidationError as exc:
                    problems[field] = (text, " ".join(exc.messages))
                continue
            if field == "proprietary_namespace":
                continue
            # Single-line fields: a line break or a run of spaces (a wrapped ℗ line) is
            # one space.
            if not text.isprintable() or "  " in text:
                text = " ".join(text.split())
            limit = LIMITS.get(field)
            if limit is not None and len(text) > limit:
                problems[field] = (
                    text[:80] + "…",
                    _("Longer than %(n)d characters.") % {"n": limit},
                )
                continue
            out[target] = text
            continue
        try:
            if field == "release_date" and dates is not None:
                out[target] = dates.parse(text)
            else:
                out[target] = converter[0](text)
        except ValidationError as exc:
            problems[field] = (text, " ".join(exc.messages))
        except ValueError:
            problems[field] = (text, converter[1](text))

    recording = "isrc" in raw
    if (
        "excluded_territories" in raw
        and "excluded_territories" not in problems
        and out[_EXCLUDED] is not None
        and out[_TERRITORIES] != _WORLDWIDE_JSON
    ):
        out[_EXCLUDED] = None
        problems["excluded_territories"] = (
            raw["excluded_territories"],
            _("Exclusions need “Worldwide” as the territory (worldwide except these)."),
        )
    if recording:
        fatal = not problems.keys().isdisjoint(_RECORDING_KEYS)
        if "title" not in raw:
            fatal = True
            problems["title"] = ("", missing_title or _("A recording needs a title."))
    else:
        fatal = not problems.keys().isdisjoint(RELEASE_KEYS)
        if not any(key in raw for key in RELEASE_KEYS):
            fatal = True
            problems["isrc"] = (
                "",
                _(
                    "The row has neither an ISRC (recording) nor a release identifier "
                    "(UPC/EAN, GRid or proprietary id)."
                ),
            )
    if fatal:
        return None, [
            RowError(row_number, columns.get(f, f), value, reason)
            for f, (value, reason) in problems.items()
        ]
    warnings: list[RowError] = []
    if problems:
        if recording and not problems.keys().isdisjoint(_RELEASE_BREAKERS):
            for field in RELEASE_FIELDS:
                out[_POSITION[field]] = None
        if "iswc" in problems:
            out[_POSITION["iswc"]] = out[_POSITION["work_title"]] = None
        warnings = [
            RowError(
                row_number,
                columns.get(f, f),
                value,
                f"{reason} {_dropped_because(f, recording=recording)}",
                severity=WARNING,
            )
            for f, (value, reason) in problems.items()
        ]
    kind = out[_RELEASE_TYPE]
    if isinstance(kind, str):
        out[_RELEASE_TYPE] = release_type(kind)
    return ImportRow._make(out), warnings
