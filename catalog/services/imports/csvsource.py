"""Reading a CSV export whatever its dialect: encoding, BOM and delimiter are sniffed.

* Encoding: a BOM decides (UTF-8, UTF-16); else the whole file is checked as UTF-8 (a
  fast C-level pass); else Windows-1252, else ISO-8859-1 (which never fails).
* Delimiter: the most frequent of ``, ; TAB |`` outside quotes in the header line.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from optout.jobs import JobFailure

DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024
_CHUNK = 1024 * 1024
# A field longer than this is not catalog data; csv's default limit is 128 KiB.
csv.field_size_limit(1024 * 1024)


@dataclass(frozen=True)
class Dialect:
    encoding: str
    delimiter: str


def _valid_as(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        if _valid_as(path, encoding):
            return encoding
    return "latin-1"


def _header_line(text: str) -> str:
    """The first non-empty logical line, with quoted parts removed."""
    out: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
            continue
        if char in "\r\n" and not quoted:
            if "".join(out).strip():
                break
            out.clear()
            continue
        if not quoted:
            out.append(char)
    return "".join(out)


def sniff_dialect(path: Path) -> Dialect:
    encoding = sniff_encoding(path)
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        sample = handle.read(_SNIFF_BYTES)
    header = _header_line(sample)
    counts = {d: header.count(d) for d in DELIMITERS}
    delimiter = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return Dialect(encoding=encoding, delimiter=delimiter if counts[delimiter] else ",")


@dataclass(frozen=True)
class Record:
    number: int
    """The row number as a spreadsheet shows it (the header is row 1)."""
    cells: list[str] | None
    problem: str = ""


class CsvSource:
    """Iterates the records of a CSV file; ``position`` tells how far it has read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = max(path.stat().st_size, 1)
        self.dialect = sniff_dialect(path)
        self._raw: IO[bytes] | None = None

    @property
    def position(self) -> int:
        return self._raw.tell() if self._raw is not None else 0

    def records(self) -> Iterator[Record]:
        with open(self.path, "rb") as raw:
            self._raw = raw
            text = io.TextIOWrapper(raw, encoding=self.dialect.encoding, newline="")
            reader = csv.reader(text, delimiter=self.dialect.delimiter, strict=False)
            number = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    number += 1
                    yield Record(
                        number, None, _("The line cannot be read as CSV: %(e)s.") % {"e": exc}
                    )
                    continue
                except UnicodeDecodeError:  # pragma: no cover - the encoding was checked
                    raise JobFailure(_("The file changed encoding part-way through.")) from None
                number += 1
                yield Record(number, cells)
        self._raw = None

    def column(self, index: int) -> Iterator[str]:
        """One column's cells below the header, read in a pass of its own (used only to
        settle how the file writes its dates)."""
        with open(self.path, encoding=self.dialect.encoding, errors="replace", newline="") as text:
            reader = csv.reader(text, delimiter=self.dialect.delimiter, strict=False)
            header_seen = False
            try:
                for cells in reader:
                    if not header_seen:
                        header_seen = any(c.strip() for c in cells)
                        continue
                    if index < len(cells):
                        yield cells[index]
            except csv.Error:
                return
