"""Sections of a label's public terms page that the apps above the core add.

The public pages live in the core (layer 1); facts such as the fingerprints of the
timestamp authority behind the label's evidence packets belong to higher apps, which
register a section here in ``AppConfig.ready``. A section's context function returns None
when it has nothing to show for a label; whatever it returns is public.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from optout.models import Label


@dataclass(frozen=True)
class PublicSection:
    key: str
    template: str
    context: Callable[[Label], dict[str, Any] | None]
    order: int = 100


_SECTIONS: dict[str, PublicSection] = {}


def register_public_section(section: PublicSection) -> None:
    _SECTIONS[section.key] = section


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict[str, Any]


def public_sections_for(label: Label) -> list[RenderedSection]:
    rendered = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context(label)
        if context is not None:
            rendered.append(RenderedSection(section.key, section.template, context))
    return rendered
