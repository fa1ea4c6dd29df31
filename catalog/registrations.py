"""What the catalog adds to the shared registries: navigation, dashboard panels, demo data,
and the lookups behind the pickers that search as you type."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from catalog.entities import ENTITIES
from catalog.models import Master
from catalog.selectors import coverage as cov
from catalog.selectors.lookups import (
    KINDS,
    catalog_reference,
    catalog_resolve,
    catalog_suggestions,
)
from catalog.selectors.masters import label_masters
from catalog.selectors.summary import catalog_summary
from optout.coverage import (
    CoverageCatalog,
    CoverageCheck,
    CoverageFlag,
    FirstWeekStep,
    register_coverage_catalog,
    register_coverage_check,
    register_coverage_flag,
    register_first_week_step,
)
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
    register_coverage()


def register_coverage() -> None:
    """The catalog's coverage checks, flags and first-week step (``docs/coverage.md``)."""
    register_coverage_catalog(
        CoverageCatalog(
            recording_ids=cov.coverage_recording_ids,
            release_tracks=cov.coverage_release_tracks,
            recording_regions=cov.coverage_recording_regions,
            recording_facts=cov.coverage_recording_facts,
        )
    )
    masters = lambda label: cov.url("catalog:masters", label)  # noqa: E731
    for check in (
        CoverageCheck(
            "master", _("Current master uploaded and verified"), 3, masters, cov.check_master,
            ngettext_lazy(
                "%(count)s recording has no verified master: upload it",
                "%(count)s recordings have no verified master: upload them",
                "count",
            ), order=10,
        ),
        CoverageCheck(
            "tagged", _("Rights-tagged copy current with the policy in force"), 2, masters,
            cov.check_tagged,
            ngettext_lazy(
                "%(count)s recording has no tagged copy with the policy in force: make it",
                "%(count)s recordings have no tagged copy with the policy in force: make them",
                "count",
            ),
            order=20,
        ),
        CoverageCheck(
            "isrc", _("ISRC valid"), 1, lambda label: cov.url("catalog:recordings", label),
            cov.check_isrc, ngettext_lazy(
                "%(count)s recording has no valid ISRC: correct it",
                "%(count)s recordings have no valid ISRC: correct them",
                "count",
            ), order=30,
        ),
        CoverageCheck(
            "work", _("Work linked, with ISWC"), 1, lambda label: cov.url("catalog:works", label),
            cov.check_work,
            ngettext_lazy(
                "%(count)s recording has no work with an ISWC: link its work",
                "%(count)s recordings have no work with an ISWC: link their works",
                "count",
            ), order=40,
        ),
        CoverageCheck(
            "contributors", _("Contributors covered by AI and voice clauses or consent"), 2,
            lambda label: cov.url("catalog:contracts", label), cov.check_contributors,
            ngettext_lazy(
                "%(count)s recording has contributors without an AI or voice clause: record "
                "their contracts or consents",
                "%(count)s recordings have contributors without an AI or voice clause: record "
                "their contracts or consents",
                "count",
            ),
            order=50,
        ),
        CoverageCheck(
            "territories", _("Territory checklist done where it is sold"), 1,
            lambda label: cov.url("policy:territories", label), cov.check_territories,
            ngettext_lazy(
                "%(count)s recording is sold where a required signal is missing: complete the "
                "territory checklist",
                "%(count)s recordings are sold where a required signal is missing: complete the "
                "territory checklist",
                "count",
            ),
            order=100,
        ),
    ):  # fmt: skip
        register_coverage_check(check)
    register_coverage_flag(
        CoverageFlag(
            "silent_sublicensing",
            _("Silent sublicensing"),
            _("Recordings carried by a partner whose contract is silent on, or permits, "
              "sublicensing for AI, or who said it trains or sells datasets."),
            lambda label: cov.url("catalog:partners", label),
            cov.flag_silent_sublicensing,
            order=10,
        )
    )  # fmt: skip
    register_coverage_flag(
        CoverageFlag(
            "voice_not_covered",
            _("Voice not covered"),
            _("Recordings with a vocalist whom no voice clause or voice-release consent covers."),
            lambda label: cov.url("catalog:consents", label),
            cov.flag_voice_not_covered,
            order=40,
        )
    )
    register_first_week_step(
        FirstWeekStep(
            "document",
            10,
            _("Document the catalog"),
            _("Add your recordings and upload their masters, hashed and verified."),
            cov.document_step_done,
            masters,
        )
    )
