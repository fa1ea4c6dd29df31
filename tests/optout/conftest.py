"""Fixtures of the core's tests beyond the project-wide ones."""

from __future__ import annotations

# The local RFC 3161 authority (tests/evidence/tsa.py), for timestamped ledger heads.
from tests.evidence.tsa import local_tsa, tsa_pki  # noqa: F401
