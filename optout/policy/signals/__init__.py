"""The signal compiler: one reservation policy in, every machine-readable format out.

Pure functions only: no Django, no database, no network, no clock. Input is a frozen
``PolicySpec`` (one policy version), the label's public ``LabelFacts`` and the
``AgentRegistry``; output is text. Each format is a versioned serialisation (see
``formats.SERIALISATIONS``) because the vocabularies keep moving.
"""

from __future__ import annotations

from optout.policy.signals.agents import Agent, AgentRegistry
from optout.policy.signals.bundle import SignalBundle, compile_bundle
from optout.policy.signals.check import check_bundle
from optout.policy.signals.messages import Finding
from optout.policy.signals.spec import LabelFacts, PolicySpec
from optout.policy.signals.vocab import Purpose, Stance, Use

__all__ = [
    "Agent",
    "AgentRegistry",
    "Finding",
    "LabelFacts",
    "PolicySpec",
    "Purpose",
    "SignalBundle",
    "Stance",
    "Use",
    "check_bundle",
    "compile_bundle",
]
