"""``RightsMetadata``: what a rights-tagged copy carries, checked for tag safety.

Every field is an optional string. Construction validates and normalises them and raises
:class:`RightsMetadataError` with field-level messages (fit for a form or a 400 answer):
no control or invisible direction characters, sensible lengths, a compact 12-character ISRC,
an ISWC with a correct check digit, http(s) URLs in ASCII form, a plausible e-mail address,
and ℗/© lines that start with a year (ID3 ``TCOP``/``TPRO`` require it; a line without one
takes ``year`` when given).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from urllib.parse import urlsplit

from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")
_ISWC = re.compile(r"^T[0-9]{10}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_YEAR = re.compile(r"^[0-9]{4}$")
_LANGUAGE = re.compile(r"^[a-z]{3}$")
_LEADING_SYMBOL = re.compile(r"^\s*(?:\u00a9|\u2117|\(c\)|\(p\)|copyright\b|phonogram\b)\s*", re.I)
_LINE_YEAR = re.compile(r"^([0-9]{4})\s+\S")
# Bidi controls and invisible separators can disguise what a tag says.
_INVISIBLE = {"\u2028", "\u2029", "\ufeff", *map(chr, range(0x202A, 0x202F)),
              *map(chr, range(0x2066, 0x206A)), "\u200e", "\u200f"}  # fmt: skip

MAX_LENGTHS = {
    "isrc": 20,
    "iswc": 20,
    "title": 500,
    "artist": 500,
    "p_line": 300,
    "c_line": 300,
    "rights_holder": 300,
    "contact_email": 254,
    "contact_url": 2000,
    "terms_url": 2000,
    "reservation_note": 2000,
    "label_name": 300,
    "year": 4,
    "language": 3,
}


class RightsMetadataError(ValueError):
    """Field-level problems: ``errors`` maps a field name to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class RightsMetadata:
    """The rights fields of a tagged copy. ``None`` or an empty string means "not written"
    (the source's own value, if any, is kept)."""

    isrc: str | None = None
    iswc: str | None = None
    title: str | None = None
    artist: str | None = None
    p_line: str | None = None
    """℗ line: "2026 Example Records Ltd" (a leading ℗ is dropped)."""
    c_line: str | None = None
    """© line: "2026 Example Records Ltd" (a leading © is dropped)."""
    rights_holder: str | None = None
    contact_email: str | None = None
    contact_url: str | None = None
    terms_url: str | None = None
    reservation_note: str | None = None
    label_name: str | None = None
    year: str | None = None
    """Used for ℗/© lines given without a year."""
    language: str | None = None
    """ISO 639-2 code of the reservation note (ID3 ``USER``); "eng" when not given."""

    def __post_init__(self) -> None:
        errors: dict[str, list[str]] = {}
        for field in fields(self):
            raw = getattr(self, field.name)
            if raw is None:
                continue
            if not isinstance(raw, str):
                errors[field.name] = [str(_("Enter text."))]
                continue
            value, problem = _clean(field.name, raw, self.year)
            if problem is not None:
                errors[field.name] = [problem]
            object.__setattr__(self, field.name, value or None)
        if errors:
            raise RightsMetadataError(errors)

    def as_request(self) -> dict[str, str]:
        """The non-empty fields, as sent to the sandboxed writer."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name))}

    def is_empty(self) -> bool:
        return not any(v for k, v in self.as_request().items() if k not in ("year", "language"))


def _clean(name: str, raw: str, year: str | None) -> tuple[str, str | None]:
    value = unicodedata.normalize("NFC", raw).strip()
    if not value:
        return "", None
    for char in value:
        if char in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn"):
            if name == "reservation_note" and char == "\n":
                continue
            return value, str(_("Remove control and invisible characters."))
    if len(value) > MAX_LENGTHS[name]:
        return value, str(_("Use at most %(limit)s characters.") % {"limit": MAX_LENGTHS[name]})
    cleaner = _CLEANERS.get(name)
    return cleaner(value, year) if cleaner else (value, None)


def _isrc(value: str, year: str | None) -> tuple[str, str | None]:
    compact = re.sub(r"[\s-]", "", value.upper())
    compact = compact.removeprefix("ISRC")
    if not _ISRC.match(compact):
        return value, str(_("Enter an ISRC of 12 characters, such as USRC17607839."))
    return compact, None


def _iswc(value: str, year: str | None) -> tuple[str, str | None]:
    compact = re.sub(r"[\s.\-]", "", value.upper()).removeprefix("ISWC")
    if not _ISWC.match(compact):
        return value, str(_("Enter an ISWC such as T-034.524.680-1."))
    digits = [int(d) for d in compact[1:]]
    check = (10 - (1 + sum(i * d for i, d in enumerate(digits[:9], start=1))) % 10) % 10
    if check != digits[9]:
        return value, str(_("The check digit of this ISWC is wrong."))
    return f"T-{compact[1:4]}.{compact[4:7]}.{compact[7:10]}-{compact[10]}", None


def _line(value: str, year: str | None) -> tuple[str, str | None]:
    text = _LEADING_SYMBOL.sub("", value).strip()
    if _LINE_YEAR.match(text):
        return text, None
    if year and text:
        return f"{year} {text}", None
    return value, str(_("Start the line with the year, such as “2026 Example Records Ltd”."))


def _url(value: str, year: str | None) -> tuple[str, str | None]:
    uri = iri_to_uri(value)
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in uri:
        return value, str(_("Enter a full http:// or https:// address."))
    return uri, None


def _email(value: str, year: str | None) -> tuple[str, str | None]:
    if not _EMAIL.match(value):
        return value, str(_("Enter a valid e-mail address."))
    return value, None


def _year(value: str, year: str | None) -> tuple[str, str | None]:
    if not _YEAR.match(value):
        return value, str(_("Enter a year of four digits."))
    return value, None


def _language(value: str, year: str | None) -> tuple[str, str | None]:
    if not _LANGUAGE.match(value.lower()):
        return value, str(_("Enter a three-letter ISO 639-2 language code, such as “eng”."))
    return value.lower(), None


_CLEANERS = {
    "isrc": _isrc,
    "iswc": _iswc,
    "p_line": _line,
    "c_line": _line,
    "contact_url": _url,
    "terms_url": _url,
    "contact_email": _email,
    "year": _year,
    "language": _language,
}
