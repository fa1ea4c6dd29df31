"""What the policy app adds to the shared registries: navigation, panels, demo data."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from optout.coverage import (
    CoverageCheck,
    CoverageFlag,
    FirstWeekStep,
    register_coverage_check,
    register_coverage_flag,
    register_first_week_step,
)
from optout.dashboard import Panel, register_panel
from optout.demo import register_demo_seeder
from optout.models import Label, User
from optout.navigation import NavItem, register_nav_item
from optout.tenancy import LabelAccess


def _policy_panel(access: LabelAccess) -> dict[str, Any]:
    from optout.policy.services.agents import agent_registry
    from optout.policy.services.audits import audits_latest
    from optout.policy.services.policy import policy_current, policy_draft
    from optout.policy.views.policy import version_rows

    current = policy_current(label=access.label)
    return {
        "label": access.label,
        "current": current,
        "rows": version_rows(current) if current else [],
        "draft": policy_draft(label=access.label),
        "unclassified": len(agent_registry().unclassified),
        "audit_gaps": sum(
            a.summary.get("high", 0)
            for a in audits_latest(label=access.label)
            if a.status == "done"
        ),
    }


def _seed_demo(label: Label, owner: User) -> None:
    """A second version that offers AI training under licence, waiting as a draft."""
    from optout.policy.services.policy import policy_draft_save

    policy_draft_save(
        label=label,
        actor=owner,
        values={
            "stances": {
                "ai_train": "licensable",
                "genai_train": "licensable",
                "tdm": "licensable",
                "ai_input": "reserved",
                "search": "allowed",
                "voice_likeness": "reserved",
                "dataset_resale": "reserved",
            },
            "contact_email": "licensing@northernlights.example",
            "change_note": "Offer training licences on request; everything else stays reserved.",
        },
    )


def register() -> None:
    register_nav_item(NavItem("policy", _("Policy & signals"), "policy:overview", order=20))
    register_panel(Panel("policy", "policy/panels/policy.html", _policy_panel, order=20))
    register_demo_seeder("policy", _seed_demo, order=10)
    _register_coverage()


def _url(name: str) -> Any:
    from django.urls import reverse

    return lambda label: reverse(name, kwargs={"slug": label.slug})


def _register_coverage() -> None:
    from optout.policy import selectors

    register_coverage_check(
        CoverageCheck(
            "signals",
            _("Signals audit clean on the label's domains"),
            2,
            _url("policy:audits"),
            selectors.check_signals_audit,
            ngettext_lazy(
                "%(count)s recording relies on sites whose signals audit is not clean: fix and "
                "audit them again",
                "%(count)s recordings rely on sites whose signals audit is not clean: fix and "
                "audit them again",
                "count",
            ),
            order=80,
        )
    )  # fmt: skip
    register_coverage_flag(
        CoverageFlag(
            "one_channel",
            _("Only one opt-out channel"),
            _("Recordings that at most one of the four channels reaches: published terms, "
              "machine-readable signals from a policy in force, a partner notice, tags in "
              "the files."),
            _url("policy:overview"),
            selectors.flag_one_channel,
            order=30,
        )
    )  # fmt: skip
    register_first_week_step(
        FirstWeekStep(
            "publish",
            20,
            _("Publish your policy, terms and signals"),
            _("Approve a reservation policy, approve your web-site terms and record where "
              "they are published; the signals are generated from the policy."),
            selectors.publish_step_done,
            _url("policy:overview"),
        )
    )  # fmt: skip
