"""Actions a higher app offers on a catalog record's page (a registry, filled at start-up).

The catalog sits below the apps that act on its records (notices, monitoring…) and never
imports them. Such an app registers a ``RecordAction`` from its ``registrations.py``; the
record's page shows a link to it for members whose role holds ``capability``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from optout.roles import Capability
from optout.tenancy import LabelAccess


@dataclass(frozen=True)
class RecordAction:
    key: str
    entity: str
    """The catalog entity's key (``"release"``, ``"recording"``, ``"partner"``…)."""
    title: str | Promise
    url: Callable[[str, Any], str]
    """The link for (label slug, record)."""
    capability: Capability = Capability.VIEW
    order: int = 100


_ACTIONS: dict[tuple[str, str], RecordAction] = {}


def register_record_action(action: RecordAction) -> None:
    _ACTIONS[(action.entity, action.key)] = action


def record_actions(*, entity: str, obj: Any, access: LabelAccess) -> list[dict[str, Any]]:
    """The links the record's page shows to this member, in order."""
    return [
        {"key": action.key, "title": action.title, "url": action.url(access.label.slug, obj)}
        for action in sorted(_ACTIONS.values(), key=lambda a: (a.order, a.key))
        if action.entity == entity and access.can(action.capability)
    ]
