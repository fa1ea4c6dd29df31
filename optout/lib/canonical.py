"""Canonical JSON: the exact bytes that custody hashes are computed over."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8. Floats are refused: their text
    form is not stable across databases, so hashed records hold strings or integers."""

    def reject(obj: Any) -> Any:
        raise TypeError(f"{type(obj).__name__} is not allowed in a hashed record")

    _check_no_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=reject
    ).encode("utf-8")


def _check_no_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in a hashed record; use a string")
    if isinstance(value, dict):
        for item in value.values():
            _check_no_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_no_floats(item)


def utc_iso(moment: datetime) -> str:
    """A fixed-width UTC timestamp such as ``2026-11-25T20:47:42.123456Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
