"""What the catalog adds to the shared registries: navigation, dashboard panels, demo data,
and the lookups behind the pickers that search as you type."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from catalog.entities import ENTITIES
from catalog.models import Master
from catalog.selectors.lookups import (
    KINDS,
    catalog_reference,
    catalog_resolve,
    catalog_suggestions,
)
from catalog.selectors.masters import label_masters
from catalog.selectors.summary import catalog_summary
from optout.dashboard import Panel, register_panel
from optout.demo import register_demo_seeder
from optout.lookups import Lookup, Suggestion, register_lookup
from optout.models import Label
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


def _lookup(kind: str, title: Any) -> Lookup:
    def search(label: Label, query: str, within: str) -> list[Suggestion]:
        return catalog_suggestions(kind=kind, label=label, query=query)

    def resolve(label: Label, text: str) -> str | None:
        return catalog_resolve(kind=kind, label=label, text=text)

    def reference(label: Label, code: str) -> str:
        return catalog_reference(kind=kind, label=label, code=code)

    return Lookup(kind=kind, title=title, search=search, resolve=resolve, reference=reference)


def register() -> None:
    from catalog.demo import seed_demo_catalog

    register_nav_item(NavItem("masters", _("Masters"), "catalog:masters", order=30))
    register_nav_item(NavItem("catalog", _("Catalog"), "catalog:index", order=100))
    register_panel(Panel("masters", "catalog/masters/panel.html", _masters_panel, order=30))
    register_panel(Panel("catalog", "catalog/panels/counts.html", _counts_panel, order=100))
    register_panel(Panel("catalog-risks", "catalog/panels/risks.html", _counts_panel, order=110))
    register_demo_seeder("catalog", seed_demo_catalog, order=200)
    for kind, entity in KINDS.items():
        register_lookup(_lookup(kind, ENTITIES[entity].title_plural))
