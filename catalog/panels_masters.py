"""The navigation entry and dashboard panel of masters."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from catalog.models import Master
from catalog.selectors.masters import label_masters
from optout.dashboard import Panel, register_panel
from optout.navigation import NavItem, register_nav_item
from optout.tenancy import LabelAccess


def _masters_panel(access: LabelAccess) -> dict[str, Any]:
    masters = label_masters(label=access.label)
    return {
        "masters": list(masters[:5]),
        "flagged": masters.filter(status=Master.Status.FLAGGED).count(),
    }


def register() -> None:
    register_nav_item(NavItem("masters", _("Masters"), "catalog:masters", order=30))
    register_panel(Panel("masters", "catalog/masters/panel.html", _masters_panel, order=30))
