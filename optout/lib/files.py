"""File names that come from users: made safe for headers, archives and disks."""

from __future__ import annotations

import re
import unicodedata

from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def safe_filename(name: str, *, default: str = "file", max_length: int = 150) -> str:
    """A single path component that is safe on every common file system.

    Keeps letters of any script, turns separators, control characters and reserved
    characters into ``_``, drops leading dots (no hidden files, no ``..``), and keeps the
    extension when shortening.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().strip(".").strip()
    if not name or set(name) <= {"_", " "}:
        name = default
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.upper() in _RESERVED:
        stem = f"_{stem}"
    ext = ext[:16]
    budget = max_length - (len(ext) + 1 if ext else 0)
    stem = stem[: max(budget, 1)]
    return f"{stem}.{ext}" if ext else stem


# For every file we serve that a user or a third party could have shaped (uploads, captures,
# exports): nothing in it may run, load or be framed, even if a browser renders it.
SANDBOX_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def as_download(
    response: HttpResponseBase, filename: str, *, inline: bool = False, private: bool = True
) -> HttpResponseBase:
    """Mark ``response`` as a file: RFC 6266 name, sandboxing CSP, no sniffing."""
    response["Content-Disposition"] = attachment_header(filename, inline=inline)
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


def attachment_header(filename: str, *, inline: bool = False) -> str:
    """An RFC 6266 ``Content-Disposition`` value with an RFC 5987 UTF-8 ``filename*``."""
    header = content_disposition_header(not inline, safe_filename(filename))
    assert header is not None
    return header
