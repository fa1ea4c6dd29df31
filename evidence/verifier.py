#!/usr/bin/env python3
"""Verify an Optout evidence packet. Needs Python 3.8+ and nothing else (openssl optional).

Usage::

    python3 verify.py                  # the packet this script sits in (an extracted folder)
    python3 verify.py packet.zip       # a packet ZIP
    python3 verify.py path/to/folder   # an extracted packet

Exit status 0 means every check passed; 1 means something was altered, removed or added,
and the first such member is named on the first line of the report.

What is checked:

1. ``manifest.json`` lists every member with its size and SHA-256; each member is read
   and hashed again and must match.
2. ``SHA256SUMS`` (the format ``sha256sum -c`` reads) covers every member, including the
   manifest; each line must match, and no file may be present that neither lists.
3. ``ledger/excerpt.jsonl`` holds the custody-ledger entries about the packet's files.
   Each entry's hash is ``SHA-256(canonical JSON of its record + previous entry's hash)``
   (canonical JSON: keys sorted, no spaces, UTF-8); each entry links to the one before.
4. If ``timestamps/manifest.json.tsr`` is present (an RFC 3161 timestamp of the manifest)
   and the ``openssl`` command is installed, the timestamp is checked against the trusted
   certificates in ``timestamps/tsa-certificates.pem``.

This file is also the verifier Optout itself runs (``manage.py verify_packet`` and the
/verify page), so the check counsel runs is the check the application runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

FORMAT = "optout-evidence-packet/1"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
TIMESTAMP_TOKEN = "timestamps/manifest.json.tsr"  # noqa: S105  (a file name)
TIMESTAMP_CERTS = "timestamps/tsa-certificates.pem"
SELF_LISTED = frozenset({MANIFEST, SUMS})
"""Members the manifest cannot list: itself, and the checksums written after it."""
CHUNK = 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


@dataclass
class Limits:
    """Refuse archives that could exhaust the machine before anything is read."""

    max_entries: int = 10000
    max_total_bytes: int | None = None
    max_ratio: int | None = None


@dataclass
class Problem:
    kind: str
    """``altered``, ``missing``, ``added``, ``manifest``, ``ledger``, ``timestamp``,
    ``unreadable`` or ``unsafe``."""
    member: str
    detail: str

    def line(self) -> str:
        return f"{self.kind}: {self.member}: {self.detail}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    members_checked: int = 0
    ledger_entries: int = 0
    timestamp: str = "absent"
    """``absent``, ``verified``, ``failed`` or ``not checked (…)``."""
    packet: dict[str, Any] = field(default_factory=dict)
    """The manifest's description of the packet (id, matter, built_at…), when readable."""
    manifest_sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    def add(self, kind: str, member: str, detail: str) -> None:
        self.problems.append(Problem(kind, member, detail))

    def text(self) -> str:
        lines = []
        first = self.first_problem
        if first is None:
            lines.append(
                f"OK: the packet is intact. {self.members_checked} members match their "
                f"SHA-256; {self.ledger_entries} ledger entries chain correctly; "
                f"timestamp: {self.timestamp}."
            )
        else:
            lines.append(f"FAILED: {first.line()}")
            for problem in self.problems[1:]:
                lines.append(f"  also {problem.line()}")
        matter = self.packet.get("matter") or {}
        if self.packet:
            lines.append(
                f'Packet {self.packet.get("id", "?")} of matter "{matter.get("title", "?")}", '
                f"built {self.packet.get('built_at', '?')}."
            )
        return "\n".join(lines)


# --- reading members from a ZIP or a folder ----------------------------------------------


class _Source:
    def names(self) -> list[str]:
        raise NotImplementedError

    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _ZipSource(_Source):
    def __init__(self, path: str, limits: Limits, report: Report) -> None:
        self.archive = zipfile.ZipFile(path)
        self.infos: dict[str, zipfile.ZipInfo] = {}
        infos = self.archive.infolist()
        if len(infos) > limits.max_entries:
            raise _Refused(f"the archive has {len(infos)} entries (at most {limits.max_entries})")
        total = 0
        for info in infos:
            name = info.filename
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise _Refused(f"{name} is a symbolic link")
            if name.endswith("/"):
                continue
            if name.startswith("/") or "\\" in name or ".." in name.split("/") or "\x00" in name:
                report.add("unsafe", name, "the member name points outside the packet")
                continue
            if name in self.infos:
                raise _Refused(f"{name} appears twice in the archive")
            self.infos[name] = info
            total += info.file_size
        if limits.max_total_bytes is not None and total > limits.max_total_bytes:
            raise _Refused(
                f"its members would unpack to {total} bytes (at most {limits.max_total_bytes})"
            )
        packed = max(Path(path).stat().st_size, 1)
        if limits.max_ratio is not None and total > packed * limits.max_ratio:
            raise _Refused(f"it unpacks to more than {limits.max_ratio} times its size")
        ordered = sorted(infos, key=lambda i: i.header_offset)
        # zip() rather than itertools.pairwise: this script runs on Python 3.8 too.
        for before, after in zip(ordered, ordered[1:]):  # noqa: B905, RUF007
            end = before.header_offset + 30 + len(before.filename.encode()) + before.compress_size
            if end > after.header_offset:
                raise _Refused(f"the entries {before.filename} and {after.filename} overlap")

    def names(self) -> list[str]:
        return list(self.infos)

    def open(self, name: str) -> IO[bytes]:
        return self.archive.open(self.infos[name])

    def close(self) -> None:
        self.archive.close()


class _DirSource(_Source):
    def __init__(self, root: str) -> None:
        self.root = Path(root).resolve()
        self._names: list[str] = []
        for folder, dirs, files in os.walk(self.root):
            dirs.sort()
            for filename in sorted(files):
                full = Path(folder) / filename
                rel = full.relative_to(self.root).as_posix()
                if full.is_symlink():
                    raise _Refused(f"{rel} is a symbolic link")
                self._names.append(rel)

    def names(self) -> list[str]:
        return list(self._names)

    def open(self, name: str) -> IO[bytes]:
        return open(self.root.joinpath(*name.split("/")), "rb")


class _Refused(Exception):
    pass


def _digest(source: _Source, name: str) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    with source.open(name) as handle:
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                break
            hasher.update(chunk)
            size += len(chunk)
    return hasher.hexdigest(), size


def _read_small(source: _Source, name: str, limit: int) -> bytes:
    with source.open(name) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} is larger than {limit} bytes")
    return data


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


# --- the checks --------------------------------------------------------------------------


def _open(path: str, limits: Limits, report: Report) -> _Source | None:
    try:
        if Path(path).is_dir():
            return _DirSource(path)
        return _ZipSource(path, limits, report)
    except _Refused as exc:
        report.add("unsafe", Path(path).name, f"refused to read the archive: {exc}")
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.add("unreadable", Path(path).name, f"not a readable ZIP archive ({exc})")
    return None


def _load_manifest(source: _Source, names: set[str], report: Report) -> dict[str, Any] | None:
    if MANIFEST not in names:
        report.add("missing", MANIFEST, "the packet has no manifest")
        return None
    try:
        raw = _read_small(source, MANIFEST, MAX_MANIFEST_BYTES)
        report.manifest_sha256 = hashlib.sha256(raw).hexdigest()
        manifest = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error) as exc:
        report.add("altered", MANIFEST, f"the manifest cannot be read ({exc})")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        report.add("altered", MANIFEST, f"the manifest is not an {FORMAT} manifest")
        return None
    members = manifest.get("members")
    if not isinstance(members, list) or not all(
        isinstance(m, dict) and isinstance(m.get("path"), str) for m in members
    ):
        report.add("altered", MANIFEST, "the manifest's member list is malformed")
        return None
    report.packet = {
        "id": manifest.get("packet"),
        "matter": manifest.get("matter") or {},
        "label": manifest.get("label") or {},
        "built_at": manifest.get("built_at"),
    }
    return manifest


def _load_sums(source: _Source, names: set[str], report: Report) -> dict[str, str]:
    if SUMS not in names:
        report.add("missing", SUMS, "the packet has no SHA256SUMS")
        return {}
    sums: dict[str, str] = {}
    try:
        text = _read_small(source, SUMS, MAX_MANIFEST_BYTES).decode("utf-8")
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error) as exc:
        report.add("altered", SUMS, f"SHA256SUMS cannot be read ({exc})")
        return {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SUM_LINE.match(line)
        if not match:
            report.add("altered", SUMS, f"line {number} is not a SHA-256 line")
            continue
        sums[match.group(2)] = match.group(1)
    return sums


class _Hashes:
    """Each member is read at most once, whatever the number of checks that need it."""

    def __init__(self, source: _Source, report: Report) -> None:
        self.source = source
        self.report = report
        self.cache: dict[str, tuple[str, int] | None] = {}

    def get(self, name: str) -> tuple[str, int] | None:
        if name not in self.cache:
            try:
                self.cache[name] = _digest(self.source, name)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                # zipfile's own CRC check caught bytes changed inside the archive.
                self.report.add("altered", name, f"its bytes were changed in the archive ({exc})")
                self.cache[name] = None
        return self.cache[name]


def _check_members(
    manifest: dict[str, Any], sums: dict[str, str], names: set[str], hashes: _Hashes
) -> None:
    report = hashes.report
    listed: set[str] = set()
    for member in manifest["members"]:
        path = member["path"]
        listed.add(path)
        if path not in names:
            report.add("missing", path, "listed in the manifest but not in the packet")
            continue
        found = hashes.get(path)
        if found is None:
            continue
        sha256, size = found
        if sha256 != member.get("sha256") or size != member.get("size"):
            report.add(
                "altered",
                path,
                f"its SHA-256 is {sha256} ({size} bytes); the manifest records "
                f"{member.get('sha256')} ({member.get('size')} bytes)",
            )
        if path not in sums and SUMS in names:
            report.add("altered", SUMS, f"it does not list {path}")
    for path, expected in sums.items():
        if path not in names:
            if path not in listed:
                report.add("missing", path, "listed in SHA256SUMS but not in the packet")
            continue
        found = hashes.get(path)
        if found is not None and found[0] != expected:
            report.add("altered", path, f"its SHA-256 is {found[0]}; SHA256SUMS records {expected}")
    if SUMS in names and MANIFEST in names and MANIFEST not in sums:
        report.add("altered", SUMS, "it does not list manifest.json")
    allowed = listed | SELF_LISTED | {TIMESTAMP_TOKEN, TIMESTAMP_CERTS}
    for name in sorted(names - allowed):
        report.add("added", name, "present in the packet but not listed in the manifest")
    for name in sorted((names & {TIMESTAMP_TOKEN, TIMESTAMP_CERTS}) - set(sums)):
        report.add("added", name, "present in the packet but not listed in SHA256SUMS")


def _check_ledger(
    manifest: dict[str, Any], source: _Source, names: set[str], report: Report
) -> None:
    ledger = manifest.get("ledger") or {}
    path = ledger.get("path")
    if not path:
        return
    if path not in names:
        return  # reported as missing by the member check
    previous: dict[str, Any] | None = None
    seen: set[int] = set()
    try:
        with source.open(path) as handle:
            for number, raw in enumerate(handle, start=1):
                entry = json.loads(raw.decode("utf-8"))
                seq = entry.get("seq")
                where = f"entry #{seq} (line {number})"
                if previous is not None:
                    if seq != previous["seq"] + 1:
                        report.add("ledger", path, f"{where} does not follow #{previous['seq']}")
                        return
                    if entry.get("prev_hash") != previous.get("entry_hash"):
                        report.add("ledger", path, f"{where} does not link to the entry before")
                        return
                record = entry.get("record")
                if record is not None:
                    if record.get("seq") != seq:
                        report.add("ledger", path, f"{where} carries another sequence number")
                        return
                    computed = hashlib.sha256(
                        canonical_json(record) + str(entry.get("prev_hash", "")).encode("ascii")
                    ).hexdigest()
                    if computed != entry.get("entry_hash"):
                        report.add("ledger", path, f"{where} was altered: its hash does not match")
                        return
                seen.add(seq)
                previous = entry
    except (ValueError, UnicodeDecodeError, AttributeError, TypeError) as exc:
        report.add("ledger", path, f"the excerpt cannot be read ({exc})")
        return
    except (zipfile.BadZipFile, zlib.error, OSError):
        return  # reported as altered by the member check
    report.ledger_entries = len(seen)
    for member in manifest["members"]:
        for ref in member.get("ledger_entries") or []:
            if ref.get("seq") not in seen:
                report.add(
                    "ledger",
                    member["path"],
                    f"refers to ledger entry #{ref.get('seq')}, which the excerpt lacks",
                )
                return


def _check_timestamp(source: _Source, names: set[str], report: Report, use_openssl: bool) -> None:
    if TIMESTAMP_TOKEN not in names:
        report.timestamp = "absent"
        return
    openssl = shutil.which("openssl") if use_openssl else None
    if openssl is None:
        report.timestamp = "present, not checked (the openssl command was not found)"
        return
    if TIMESTAMP_CERTS not in names:
        report.add("missing", TIMESTAMP_CERTS, "the timestamp's trusted certificates are missing")
        return
    with tempfile.TemporaryDirectory(prefix="verify-") as scratch:
        local = {}
        for name in (MANIFEST, TIMESTAMP_TOKEN, TIMESTAMP_CERTS):
            target = str(Path(scratch) / Path(name).name)
            with source.open(name) as handle, open(target, "wb") as out:
                shutil.copyfileobj(handle, out, CHUNK)
            local[name] = target
        result = subprocess.run(  # noqa: S603  (openssl, with our own temporary files)
            [
                openssl,
                "ts",
                "-verify",
                "-data",
                local[MANIFEST],
                "-in",
                local[TIMESTAMP_TOKEN],
                "-CAfile",
                local[TIMESTAMP_CERTS],
                "-untrusted",
                local[TIMESTAMP_CERTS],
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    if result.returncode == 0 and "OK" in result.stdout:
        report.timestamp = "verified by openssl"
        return
    detail = (result.stderr or result.stdout).strip().splitlines()
    reason = next((line for line in detail if "imprint" in line or "error" in line.lower()), "")
    report.timestamp = "failed"
    report.add(
        "timestamp",
        TIMESTAMP_TOKEN,
        f"the timestamp does not verify against manifest.json ({reason or 'openssl refused it'})",
    )


def verify_packet(path: str, *, limits: Limits | None = None, use_openssl: bool = True) -> Report:
    """Check a packet (a ZIP file or an extracted folder) and report every problem found."""
    report = Report()
    source = _open(path, limits or Limits(), report)
    if source is None:
        return report
    try:
        names = set(source.names())
        manifest = _load_manifest(source, names, report)
        sums = _load_sums(source, names, report)
        hashes = _Hashes(source, report)
        if manifest is not None:
            _check_members(manifest, sums, names, hashes)
            _check_ledger(manifest, source, names, report)
        else:
            for name, expected in sums.items():
                found = hashes.get(name) if name in names else None
                if name in names and found is not None and found[0] != expected:
                    report.add("altered", name, "its SHA-256 does not match SHA256SUMS")
        report.members_checked = sum(1 for v in hashes.cache.values() if v is not None)
        if report.ok:
            _check_timestamp(source, names, report, use_openssl)
    finally:
        source.close()
    return report


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    use_openssl = "--no-openssl" not in argv
    if "--help" in argv or "-h" in args or len(args) > 1:
        sys.stdout.write(__doc__ or "")
        return 2
    target = args[0] if args else str(Path(__file__).resolve().parent)
    report = verify_packet(target, use_openssl=use_openssl)
    sys.stdout.write(report.text() + "\n")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
