"""What the core app adds to the shared registries: navigation entries and dashboard panels."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from optout.coverage import CoverageFlag, register_coverage_flag
from optout.dashboard import Panel, register_panel
from optout.models import Label
from optout.navigation import NavItem, register_nav_item
from optout.selectors import label_jobs, label_summary
from optout.tenancy import LabelAccess


def _label_panel(access: LabelAccess) -> dict[str, Any]:
    return {"summary": label_summary(label=access.label), "label": access.label}


def _jobs_panel(access: LabelAccess) -> dict[str, Any]:
    return {"jobs": list(label_jobs(label=access.label)[:5])}


def _weak_evidence(
    label: Label, passed: dict[str, set[int]], failing: dict[str, set[int]], ids: set[int]
) -> int:
    """Recordings without a verified master, or whose terms were not captured recently:
    what they are, or that they were reserved, could not be shown today."""
    return len((failing.get("master", set()) | failing.get("terms", set())) & ids)


def _coverage_panel(access: LabelAccess) -> dict[str, Any]:
    from optout.views.coverage import coverage_context

    return coverage_context(access)


def register() -> None:
    register_coverage_flag(
        CoverageFlag(
            "weak_evidence",
            _("Weak evidence"),
            _("Recordings without a verified current master, or whose published terms were "
              "not captured within the freshness window."),
            lambda label: reverse("catalog:masters", kwargs={"slug": label.slug}),
            _weak_evidence,
            order=20,
        )
    )  # fmt: skip
    register_panel(Panel("coverage", "optout/panels/coverage.html", _coverage_panel, order=0))
    register_nav_item(NavItem("dashboard", _("Dashboard"), "dashboard", order=0))
    register_nav_item(NavItem("members", _("Members"), "members", order=900))
    register_nav_item(NavItem("jobs", _("Jobs"), "jobs", order=950))
    register_nav_item(NavItem("ledger", _("Ledger"), "ledger", order=960))
    register_nav_item(NavItem("settings", _("Settings"), "label_settings", order=990))
    register_panel(Panel("label", "optout/panels/label.html", _label_panel, order=900))
    register_panel(Panel("jobs", "optout/panels/jobs.html", _jobs_panel, order=950))
