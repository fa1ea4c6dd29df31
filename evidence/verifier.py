#!/usr/bin/env python3
"""Verify an Optout evidence packet. Needs Python 3.8+ and nothing else (openssl for timestamps).

Usage::

    python3 verify.py                      # the packet this script sits in (an extracted folder)
    python3 verify.py packet.zip           # a packet ZIP
    python3 verify.py path/to/folder       # an extracted packet
    python3 verify.py --tsa-ca tsa.pem packet.zip
                                           # trust only this TSA certificate (PEM), obtained
                                           # from the label, not from inside the packet
    python3 verify.py --accept-unstamped packet.zip
                                           # accept a packet that carries no timestamp

Exit status:

    0   verified: every member matches, the ledger excerpt chains, and the timestamp of the
        manifest verifies (or the packet has none and --accept-unstamped was given)
    1   altered or not verified: a member was altered, removed or added (the first one is
        named on the first line), the timestamp does not verify against the trusted
        certificate, or the packet has no timestamp and --accept-unstamped was not given
    2   could not be checked: the members are intact but the timestamp could not be checked
        (the openssl command was not found)
    64  the command line was not understood

What is checked:

1. ``manifest.json`` lists every member with its size and SHA-256; each member is read
   and hashed again and must match.
2. ``SHA256SUMS`` (the format ``sha256sum -c`` reads) covers every member, including the
   manifest; each line must match, and no file may be present that neither lists.
3. ``ledger/excerpt.jsonl`` holds the custody-ledger entries about the packet's files.
   Each entry's hash is ``SHA-256(canonical JSON of its record + previous entry's hash)``
   (canonical JSON: keys sorted, no spaces, UTF-8); each entry links to the one before.
4. ``timestamps/manifest.json.tsr`` (an RFC 3161 timestamp of the manifest) is checked with
   the ``openssl`` command against a trusted TSA certificate.

Checks 1 to 3 use only what is inside the packet, so whoever rebuilds a packet can make
them pass. The timestamp is what ties the manifest to a time and to a timestamp authority
(TSA), and it is only as good as the certificate it is checked against. With ``--tsa-ca``
that certificate comes from outside the packet and ``timestamps/tsa-certificates.pem`` is
not trusted. Without it, the certificates inside the packet are used and the report says
so: compare the SHA-256 fingerprint printed with the one the label publishes (its public
terms page) before relying on the result.

This file is also the verifier Optout itself runs (``manage.py verify_packet`` and the
/verify page), so the check counsel runs is the check the application runs.
"""

from __future__ import annotations

import argparse
import base64
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
_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----"
)
EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_NOT_CHECKED, EXIT_USAGE = 0, 1, 2, 64


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
    """``absent``, ``verified by openssl``, ``failed``, ``not checked: …`` or
    ``not timestamped: accepted by …``."""
    timestamp_time: str = ""
    """The time the TSA put in the token, as openssl prints it, once it verified."""
    unchecked: str = ""
    """Why a timestamp that is there could not be checked (no openssl), or ''."""
    anchor: str = ""
    """Where the trusted TSA certificates came from: ``outside`` (given by the user or the
    server) or ``inside`` (the packet's own ``timestamps/tsa-certificates.pem``)."""
    anchor_source: str = ""
    anchor_fingerprints: list[str] = field(default_factory=list)
    """SHA-256 fingerprints of the certificates offered as trust anchors."""
    trusted_fingerprint: str = ""
    """SHA-256 fingerprint of the certificate the timestamp chained to."""
    packet: dict[str, Any] = field(default_factory=dict)
    """The manifest's description of the packet (id, matter, built_at…), when readable."""
    manifest_sha256: str = ""

    @property
    def status(self) -> str:
        """``intact``, ``altered`` (or the timestamp failed), ``unstamped`` (no timestamp and
        none accepted) or ``unchecked`` (the timestamp could not be checked)."""
        if any(problem.kind != "unstamped" for problem in self.problems):
            return "altered"
        if self.problems:
            return "unstamped"
        return "unchecked" if self.unchecked else "intact"

    @property
    def ok(self) -> bool:
        return self.status == "intact"

    @property
    def exit_code(self) -> int:
        return {
            "intact": EXIT_VERIFIED,
            "unchecked": EXIT_NOT_CHECKED,
        }.get(self.status, EXIT_NOT_VERIFIED)

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None

    def add(self, kind: str, member: str, detail: str) -> None:
        self.problems.append(Problem(kind, member, detail))

    def text(self) -> str:
        lines = []
        first = self.first_problem
        counts = (
            f"{self.members_checked} members match their SHA-256; "
            f"{self.ledger_entries} ledger entries chain correctly"
        )
        if first is None and self.unchecked:
            lines.append(
                f"NOT CHECKED: the timestamp could not be checked ({self.unchecked}). {counts}, "
                "but without a checked timestamp anyone could have rebuilt the packet. "
                "Install openssl and run again."
            )
        elif first is None:
            when = f" ({self.timestamp_time})" if self.timestamp_time else ""
            whose = (
                ", against the certificate inside the packet (compare its fingerprint)"
                if self.anchor == "inside" and self.trusted_fingerprint
                else ""
            )
            lines.append(
                f"OK: the packet is intact. {counts}; timestamp: {self.timestamp}{when}{whose}."
            )
        else:
            verdict = "NOT VERIFIED" if self.status == "unstamped" else "FAILED"
            lines.append(f"{verdict}: {first.line()}")
            for problem in self.problems[1:]:
                lines.append(f"  also {problem.line()}")
        lines.extend(self._anchor_lines())
        if self.packet and self.ok:
            matter = self.packet.get("matter") or {}
            lines.append(
                f'Packet {self.packet.get("id", "?")} of matter "{matter.get("title", "?")}", '
                f"built {self.packet.get('built_at', '?')}."
            )
        elif self.packet.get("id"):
            lines.append(f"It claims to be packet {self.packet['id']}.")
        return "\n".join(lines)

    def _anchor_lines(self) -> list[str]:
        if not self.anchor:
            return []
        prints = (
            [self.trusted_fingerprint] if self.trusted_fingerprint else self.anchor_fingerprints
        )
        what = (
            "TSA certificate trusted"
            if self.trusted_fingerprint
            else "TSA certificates offered as trust anchor"
        )
        lines = [f"{what} (SHA-256 fingerprint): {', '.join(prints) or 'none'}"]
        if self.anchor == "outside":
            lines.append(f"  taken from outside the packet: {self.anchor_source}")
        else:
            lines.append(
                f"  taken from inside the packet ({TIMESTAMP_CERTS}): whoever rebuilt a packet "
                "can put their own there. Compare the fingerprint with the one the label "
                "publishes, or run again with --tsa-ca FILE."
            )
        return lines


def pem_certificates(pem: bytes) -> list[tuple[bytes, bytes]]:
    """Each certificate in a PEM text: (its DER bytes, its PEM block)."""
    found = []
    for match in _PEM_CERTIFICATE.finditer(pem):
        try:
            der = base64.b64decode(b"".join(match.group(1).split()), validate=True)
        except ValueError:
            continue
        found.append((der, match.group(0) + b"\n"))
    return found


def fingerprint(der: bytes) -> str:
    """SHA-256 of a certificate's DER bytes, as ``openssl x509 -fingerprint -sha256`` prints it."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


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


def _open(path: str, limits: Limits, report: Report, name: str) -> _Source | None:
    try:
        if Path(path).is_dir():
            return _DirSource(path)
        return _ZipSource(path, limits, report)
    except _Refused as exc:
        report.add("unsafe", name, f"refused to read the archive: {exc}")
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.add("unreadable", name, f"not a readable ZIP archive ({exc})")
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


def _openssl_ts(openssl: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (openssl, with our own temporary files)
        [openssl, "ts", *args], capture_output=True, text=True, timeout=60, check=False
    )


def _openssl_reason(output: str) -> str:
    """The last reason in OpenSSL 3's error lines (``thread:error:code:lib:func:reason:file:
    line:data``): the data when there is some (``Verify error:…``), else the reason."""
    reasons = []
    for line in output.splitlines():
        parts = line.split(":")
        if len(parts) >= 6 and parts[1] == "error":
            reasons.append(":".join(parts[8:]).strip() or parts[5])
    return reasons[-1] if reasons else ""


def _check_timestamp(source: _Source, names: set[str], report: Report, options: _Options) -> None:
    if TIMESTAMP_TOKEN not in names:
        if options.accepted_by:
            report.timestamp = f"not timestamped: accepted by {options.accepted_by}"
            return
        report.timestamp = "absent"
        report.add(
            "unstamped",
            TIMESTAMP_TOKEN,
            "the packet has no timestamp, so nothing shows that its manifest is the one "
            "that was built and not a rebuilt one; run again with --accept-unstamped to "
            "accept the packet without one",
        )
        return
    inside = b""
    if TIMESTAMP_CERTS in names:
        inside = _read_small(source, TIMESTAMP_CERTS, MAX_MANIFEST_BYTES)
    if options.tsa_ca is not None:
        anchor_pem = options.tsa_ca
        report.anchor, report.anchor_source = "outside", options.tsa_ca_source
    elif inside:
        anchor_pem = inside
        report.anchor, report.anchor_source = "inside", TIMESTAMP_CERTS
    else:
        report.add(
            "missing",
            TIMESTAMP_CERTS,
            "the timestamp's certificates are missing; give the TSA certificate with --tsa-ca",
        )
        return
    anchors = pem_certificates(anchor_pem)
    report.anchor_fingerprints = [fingerprint(der) for der, _pem in anchors]
    if not anchors:
        report.add("timestamp", report.anchor_source, "it holds no PEM certificate to trust")
        return
    openssl = shutil.which("openssl") if options.use_openssl else None
    if openssl is None:
        report.unchecked = "the openssl command was not found"
        report.timestamp = f"not checked: {report.unchecked}"
        return
    result = None
    with tempfile.TemporaryDirectory(prefix="verify-") as scratch:
        folder = Path(scratch)
        data, token = folder / "manifest.json", folder / "token.tsr"
        for name, target in ((MANIFEST, data), (TIMESTAMP_TOKEN, token)):
            with source.open(name) as handle, open(target, "wb") as out:
                shutil.copyfileobj(handle, out, CHUNK)
        # The packet's certificates may supply intermediates, never the trust anchor.
        untrusted = folder / "untrusted.pem"
        untrusted.write_bytes(inside + b"\n" + anchor_pem)
        # One anchor at a time, so the report can name the one the timestamp chains to.
        for number, (der, pem) in enumerate(anchors):
            anchor = folder / f"anchor-{number}.pem"
            anchor.write_bytes(pem)
            result = _openssl_ts(
                openssl,
                "-verify",
                *("-data", str(data), "-in", str(token)),
                *("-CAfile", str(anchor), "-untrusted", str(untrusted)),
            )
            if result.returncode == 0 and "OK" in result.stdout:
                report.trusted_fingerprint = fingerprint(der)
                break
        if report.trusted_fingerprint:
            shown = _openssl_ts(openssl, "-reply", "-in", str(token), "-text")
            for line in shown.stdout.splitlines():
                if line.startswith("Time stamp:"):
                    report.timestamp_time = line.partition(":")[2].strip()
    if report.trusted_fingerprint:
        report.timestamp = "verified by openssl"
        return
    assert result is not None
    reason = _openssl_reason(result.stderr) or result.stdout.strip()
    report.timestamp = "failed"
    report.add(
        "timestamp",
        TIMESTAMP_TOKEN,
        "the timestamp does not verify against manifest.json and the trusted TSA "
        f"certificate ({reason or 'openssl refused it'})",
    )


@dataclass
class _Options:
    use_openssl: bool = True
    tsa_ca: bytes | None = None
    tsa_ca_source: str = ""
    accepted_by: str = ""


def verify_packet(
    path: str,
    *,
    limits: Limits | None = None,
    use_openssl: bool = True,
    tsa_ca: bytes | None = None,
    tsa_ca_source: str = "--tsa-ca",
    accept_unstamped: str = "",
    name: str | None = None,
) -> Report:
    """Check a packet (a ZIP file or an extracted folder) and report every problem found.

    ``tsa_ca`` is the PEM of the TSA certificates to trust, from outside the packet
    (``tsa_ca_source`` says where from); without it the packet's own are used, and the
    report says so. ``accept_unstamped`` names who accepts a packet without a timestamp
    (empty: nobody, and such a packet is not verified). ``name`` is how the report names
    the archive when it cannot be read (the path's last part by default).
    """
    report = Report()
    options = _Options(use_openssl, tsa_ca, tsa_ca_source, accept_unstamped)
    source = _open(path, limits or Limits(), report, name or Path(path).name)
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
            for member, expected in sums.items():
                found = hashes.get(member) if member in names else None
                if member in names and found is not None and found[0] != expected:
                    report.add("altered", member, "its SHA-256 does not match SHA256SUMS")
        report.members_checked = sum(1 for v in hashes.cache.values() if v is not None)
        if not report.problems:
            _check_timestamp(source, names, report, options)
    finally:
        source.close()
    return report


def packet_claim(path: str, *, limits: Limits | None = None) -> Report:
    """Only what the manifest says of itself (``packet``, ``manifest_sha256``), read without
    checking anything: enough to decide whom to ask for the trust anchor."""
    report = Report()
    source = _open(path, limits or Limits(), report, Path(path).name)
    if source is not None:
        try:
            _load_manifest(source, set(source.names()), report)
        finally:
            source.close()
    return report


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"verify.py: {message}\n")
        sys.exit(EXIT_USAGE)


def main(argv: list[str]) -> int:
    parser = _Parser(
        prog="verify.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("packet", nargs="?", help="a packet ZIP or an extracted packet folder")
    parser.add_argument(
        "--tsa-ca",
        metavar="FILE",
        help="the TSA certificate(s) to trust (PEM), obtained from the label; the "
        "certificates inside the packet are then not trusted",
    )
    parser.add_argument(
        "--accept-unstamped",
        action="store_true",
        help="accept a packet that carries no timestamp",
    )
    parser.add_argument("--no-openssl", action="store_true", help="do not run openssl")
    args = parser.parse_args(argv)
    tsa_ca = None
    if args.tsa_ca:
        try:
            tsa_ca = Path(args.tsa_ca).read_bytes()
        except OSError as exc:
            parser.error(f"--tsa-ca: {exc}")
    target = args.packet or str(Path(__file__).resolve().parent)
    report = verify_packet(
        target,
        use_openssl=not args.no_openssl,
        tsa_ca=tsa_ca,
        tsa_ca_source=f"--tsa-ca {args.tsa_ca}",
        accept_unstamped="--accept-unstamped" if args.accept_unstamped else "",
    )
    sys.stdout.write(report.text() + "\n")
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
