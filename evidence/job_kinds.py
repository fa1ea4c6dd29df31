"""Job kinds of the evidence app (imported from EvidenceConfig.ready)."""

from __future__ import annotations

from evidence.services import packets, timestamps

__all__ = ["packets", "timestamps"]
