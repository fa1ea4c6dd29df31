"""The catalog's navigation entry, dashboard panels and demo seeder."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from catalog.selectors.summary import catalog_summary
from optout.dashboard import Panel, register_panel
from optout.demo import register_demo_seeder
from optout.navigation import NavItem, register_nav_item
from optout.tenancy import LabelAccess


def _counts_panel(access: LabelAccess) -> dict[str, Any]:
    return {"summary": catalog_summary(label=access.label), "slug": access.label.slug}


def register() -> None:
    from catalog.demo import seed_demo_catalog

    register_nav_item(NavItem("catalog", _("Catalog"), "catalog:index", order=100))
    register_panel(Panel("catalog", "catalog/panels/counts.html", _counts_panel, order=100))
    register_panel(Panel("catalog-risks", "catalog/panels/risks.html", _counts_panel, order=110))
    register_demo_seeder("catalog", seed_demo_catalog, order=200)
