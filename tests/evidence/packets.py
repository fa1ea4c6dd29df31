"""Helpers for packet tests: build a packet through its job, get its ZIP, tamper with it."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from evidence.models import Matter, Packet
from evidence.services.packets import packet_request
from optout.models import User
from optout.services.blobs import blob_open
from optout.services.jobs import job_execute

HOSTILE_NAMES = [
    "../../etc/passwd",
    "../../../../tmp/evil.sh",
    "/etc/shadow",
    "/abs/path.txt",
    "C:\\Windows\\system32\\x.dll",
    "..\\..\\boot.ini",
    "name\x00.pdf",
    "trailing\x00",
    "\u202egnp.exe",
    "invoice\u202efdp.exe",
    "CON",
    "con.txt",
    "PRN.pdf",
    "AUX",
    "NUL.txt",
    "COM1",
    "LPT9.doc",
    "å" * 150 + ".pdf",
    "😀" * 80 + ".png",
    "line\nbreak.txt",
    "carriage\rreturn.txt",
    'quote"d.txt',
    "single'quote.txt",
    "%2e%2e/%2e%2e/x",
    "%2e%2e%2fx",
    "..",
    ".",
    "...",
    "....pdf",
    ".hidden",
    " leading-space.txt",
    "trailing-space.txt ",
    "tab\tname.txt",
    "back\\slash.txt",
    "semi;colon.txt",
    "star*.txt",
    "question?.txt",
    "pipe|.txt",
    "lt<gt>.txt",
    "colon:stream.txt",
    "x" * 300,
    "a/b/c/d/e/f/g.txt",
    "dup.pdf",
    "DUP.pdf",
    "Dup.PDF",
    "日本語の契約書.pdf",
    "Ελληνικά.docx",
    "-dash-first.txt",
    "_underscore_.txt",
    "",
]


def build_packet(matter: Matter, actor: User) -> Packet:
    """Request a packet and run its job here, as a worker would."""
    packet = packet_request(matter=matter, actor=actor)
    assert packet.job is not None
    job_execute(code=str(packet.job.code))
    packet.refresh_from_db()
    return packet


def packet_file(packet: Packet, target: Path) -> Path:
    assert packet.blob is not None
    with blob_open(packet.blob) as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out)
    return target


def rewrite(
    source: Path, target: Path, change: Callable[[str, bytes], tuple[str, bytes] | None]
) -> Path:
    """A copy of the ZIP with ``change(name, data)`` applied to each member, as someone
    tampering with a packet would do it (valid ZIP, CRCs recomputed). Returning None
    drops the member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            changed = change(info.filename, old.read(info))
            if changed is not None:
                new.writestr(changed[0], changed[1])
    return target


def extract(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(source) as archive:
        archive.extractall(target)
    return target
