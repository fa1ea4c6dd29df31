"""Policies, label facts and an agent list for the signal compiler's tests."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from optout.policy.compilers import AgentRegistry, LabelFacts, PolicySpec, Purpose, Stance, Use
from optout.policy.compilers.agents import Agent
from optout.policy.compilers.vocab import suggested_blocked_purposes

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("OPTOUT_UPDATE_GOLDEN") == "1"


def sample_registry() -> AgentRegistry:
    data = json.loads((GOLDEN / "agents.json").read_text())
    return AgentRegistry(
        agents=tuple(
            Agent(
                token=a["token"],
                purpose=Purpose(a["purpose"]) if a["purpose"] else None,
                operator=a["operator"],
            )
            for a in data["agents"]
        ),
        source=data["source"],
    )


FACTS = LabelFacts(
    name="Nordic Beats",
    slug="nordic-beats",
    public_base_url="https://optout.example/s/nordic-beats",
    legal_name="Nordic Beats AB",
    contact_email="rights@nordicbeats.example",
    domains=("nordicbeats.example", "shop.nordicbeats.example"),
)


def stances(**overrides: Stance) -> dict[Use, Stance]:
    values = dict.fromkeys(Use, Stance.RESERVED)
    values[Use.SEARCH] = Stance.ALLOWED
    values.update({Use(k): v for k, v in overrides.items()})
    return values


def default_policy() -> PolicySpec:
    """Version 1 of every new label: every AI use reserved, search allowed."""
    s = stances()
    return PolicySpec(
        version=1,
        effective_date=date(2026, 1, 15),
        stances=s,
        blocked_purposes=suggested_blocked_purposes(s),
    )


def licensable_partial_policy() -> PolicySpec:
    """Training licensable on request, only under two paths, search reserved too."""
    s = stances(
        ai_train=Stance.LICENSABLE,
        genai_train=Stance.LICENSABLE,
        tdm=Stance.LICENSABLE,
        search=Stance.RESERVED,
        ai_input=Stance.RESERVED,
    )
    return PolicySpec(
        version=4,
        effective_date=date(2026, 9, 1),
        stances=s,
        blocked_purposes=frozenset({Purpose.TRAINING, Purpose.CONTROL, Purpose.SEARCH}),
        scope_paths=("/catalog/", "/press/"),
        contact_email="licensing@nordicbeats.example",
        contact_url="https://nordicbeats.example/ai-licensing",
        noarchive=True,
        legacy_noai=True,
    )


def allowed_policy() -> PolicySpec:
    s = dict.fromkeys(Use, Stance.ALLOWED)
    return PolicySpec(
        version=2,
        effective_date=date(2026, 3, 1),
        stances=s,
        blocked_purposes=frozenset(),
        noarchive=False,
    )


CASES = {
    "default": default_policy,
    "licensable-partial": licensable_partial_policy,
    "all-allowed": allowed_policy,
}
