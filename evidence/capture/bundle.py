"""A capture's files in one ZIP, for a matter or an evidence item.

The bundle holds the WARC, the screenshot and PDF (when rendered), the provenance record,
its RFC 3161 timestamp (when stamped) and a ``SHA256SUMS`` that ``sha256sum -c`` accepts.
Its bytes depend only on its members (fixed member times and order), so building it twice
from the same files gives the same blob.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_EPOCH = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Member:
    name: str
    """A fixed, safe name chosen by this module's caller (never user input)."""
    source: IO[bytes]


def write_bundle(path: Path, *, members: Iterable[Member], readme: str) -> None:
    sums: list[str] = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            digest = hashlib.sha256()
            with archive.open(info, "w", force_zip64=True) as target:
                while chunk := member.source.read(_CHUNK):
                    digest.update(chunk)
                    target.write(chunk)
            sums.append(f"{digest.hexdigest()}  {member.name}\n")
        for name, text in (("README.txt", readme), ("SHA256SUMS", "".join(sums))):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
