"""Who timestamps a label's ledger head: a registry the evidence app fills.

The core keeps the ledger but not the labels' timestamp authority (TSA) settings, which
belong to the evidence app above it; that app registers a lookup giving, for a label, its
TSA's address and two functions: one asks the TSA to stamp bytes and checks the answer,
the other checks a stored token against the certificates the label trusts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from optout.models import Label


class AnchorTokenError(Exception):
    """A timestamp token that does not verify, or a TSA that gave none; the message says why."""


@dataclass(frozen=True)
class Stamp:
    token: bytes
    """The TSA's TimeStampResp, DER, as received."""
    gen_time: datetime


@dataclass(frozen=True)
class AnchorAuthority:
    url: str
    stamp: Callable[[bytes], Stamp]
    """Stamp these bytes; raises AnchorTokenError when no verified token was obtained."""
    verify: Callable[[bytes, bytes], datetime]
    """Check ``token`` stamps ``data`` and chains to a trusted certificate: its time, or
    AnchorTokenError."""


_LOOKUP: list[Callable[[Label], AnchorAuthority | None]] = []


def register_ledger_timestamp_authority(lookup: Callable[[Label], AnchorAuthority | None]) -> None:
    _LOOKUP[:] = [lookup]


def ledger_timestamp_authority(label: Label) -> AnchorAuthority | None:
    """The label's TSA for ledger anchors; None when it has none (or no app registered one)."""
    return _LOOKUP[0](label) if _LOOKUP else None
