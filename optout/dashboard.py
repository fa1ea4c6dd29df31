"""Dashboard panels. Each app offers panels from its ``registrations.py``; the dashboard page
composes them in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from optout.roles import Capability
from optout.tenancy import LabelAccess


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[LabelAccess], dict[str, Any]]
    order: int = 100
    capability: Capability = Capability.VIEW


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _PANELS[panel.key] = panel


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    template: str
    context: dict[str, Any]


def panels_for(access: LabelAccess) -> list[RenderedPanel]:
    return [
        RenderedPanel(key=p.key, template=p.template, context=p.context(access))
        for p in sorted(_PANELS.values(), key=lambda p: (p.order, p.key))
        if access.can(p.capability)
    ]
