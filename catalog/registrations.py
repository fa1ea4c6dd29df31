"""What the catalog adds to the shared registries: navigation, dashboard panels, demo data."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from catalog.models import Master
from catalog.selectors.masters import label_masters
from catalog.selectors.summary import catalog_summary
from optout.dashboard import Panel, register_panel
from optout.demo import register_demo_seeder
from optout.navigation import NavItem, register_nav_item
from optout.tenancy import LabelAccess


def _counts_panel(access: LabelAccess) -> dict[str, Any]:
    return {"summary": catalog_summary(label=access.label), "slug": access.label.slug}


def _masters_panel(access: LabelAccess) -> dict[str, Any]:
    masters = label_masters(label=access.label)
    return {
        "masters": list(masters[:5]),
        "flagged": masters.filter(status=Master.Status.FLAGGED).count(),
    }


def register() -> None:
    from catalog.demo import seed_demo_catalog

    register_nav_item(NavItem("masters", _("Masters"), "catalog:masters", order=30))
    register_nav_item(NavItem("catalog", _("Catalog"), "catalog:index", order=100))
    register_panel(Panel("masters", "catalog/masters/panel.html", _masters_panel, order=30))
    register_panel(Panel("catalog", "catalog/panels/counts.html", _counts_panel, order=100))
    register_panel(Panel("catalog-risks", "catalog/panels/risks.html", _counts_panel, order=110))
    register_demo_seeder("catalog", seed_demo_catalog, order=200)
