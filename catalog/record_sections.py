"""Sections that higher layers add to a catalog record's page (evidence, matters...).

The catalog cannot import the apps above it; each registers, from its
``registrations.py``, a template and a context function for a kind of record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from optout.roles import Capability
from optout.tenancy import LabelAccess


@dataclass(frozen=True)
class RecordSection:
    key: str
    entity: str
    """The catalog kind whose page shows it (``"recording"``)."""
    template: str
    context: Callable[[LabelAccess, Any], dict[str, Any]]
    order: int = 100
    capability: Capability = Capability.VIEW


_SECTIONS: dict[str, RecordSection] = {}


def register_record_section(section: RecordSection) -> None:
    _SECTIONS[section.key] = section


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict[str, Any]


def record_sections(*, entity: str, access: LabelAccess, obj: Any) -> list[RenderedSection]:
    return [
        RenderedSection(s.key, s.template, s.context(access, obj))
        for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
        if s.entity == entity and access.can(s.capability)
    ]
