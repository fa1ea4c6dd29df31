"""Strict parsers for settings read from the environment.

A value that cannot be parsed stops the process at start-up with a message naming the
variable, instead of silently falling back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class Env:
    """Reads typed values from a mapping (``os.environ`` by default)."""

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        self.source: Mapping[str, str] = os.environ if source is None else source

    def _raw(self, name: str) -> str | None:
        value = self.source.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def is_set(self, name: str) -> bool:
        return self._raw(name) is not None

    def text(self, name: str, default: str = "") -> str:
        value = self._raw(name)
        return default if value is None else value

    def flag(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use true or false.")

    def integer(
        self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            parsed = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
        if minimum is not None and parsed < minimum:
            raise ImproperlyConfigured(f"{name}={parsed} is below the minimum of {minimum}.")
        if maximum is not None and parsed > maximum:
            raise ImproperlyConfigured(f"{name}={parsed} is above the maximum of {maximum}.")
        return parsed

    def csv(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self._raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self._raw(name)
        if value is None:
            return default
        if value not in choices:
            raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
        return value

    def secret(self, name: str, default: str = "") -> str:
        """Reads ``NAME`` or, for container secrets, the file named by ``NAME_FILE``."""
        file_name = self._raw(f"{name}_FILE")
        if file_name is not None:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ImproperlyConfigured(f"{name}_FILE={file_name!r}: {exc.strerror}.") from None
        return self.text(name, default)

    def path(self, name: str, default: Path) -> Path:
        value = self._raw(name)
        return default if value is None else Path(value).expanduser().resolve()
