"""The territory of a matter: the catalog's territory codes (one validator for the project)."""

from __future__ import annotations

from catalog.identifiers import (
    TERRITORY_CODES,
    WORLDWIDE,
    normalize_territory,
    territory_name,
)


def territory_normalise(value: str) -> str:
    """Blank stays blank; otherwise ``Worldwide`` or an ISO 3166-1 code, as the catalog has it."""
    return normalize_territory(value) if (value or "").strip() else ""


def territory_choices() -> list[tuple[str, str]]:
    codes = sorted(TERRITORY_CODES, key=territory_name)
    return [("", "—"), (WORLDWIDE, territory_name(WORLDWIDE))] + [
        (code, f"{territory_name(code)} ({code})") for code in codes
    ]


__all__ = ["WORLDWIDE", "territory_choices", "territory_name", "territory_normalise"]
