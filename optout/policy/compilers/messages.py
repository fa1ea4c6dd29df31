"""Findings: a message id and its parameters, translated only where they are shown.

``gettext_noop`` here is a local no-op with the name ``makemessages`` looks for, so the
messages reach the translation catalogue while this package stays free of Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


def gettext_noop(message: str) -> str:
    return message


@dataclass(frozen=True)
class Finding:
    file: str
    message: str
    """An English message with ``%(name)s`` placeholders, and the translation catalogue's id."""
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __str__(self) -> str:
        return f"{self.file}: {self.render(lambda m: m)}"

    def render(self, translate: Any) -> str:
        return str(translate(self.message)) % dict(self.params)
