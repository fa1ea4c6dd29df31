"""The signal compiler: one reservation policy in, every machine-readable format out.

Pure functions only: no Django, no database, no network, no clock. Input is a frozen
``PolicySpec`` (one policy version), the label's public ``LabelFacts`` and the
``AgentRegistry``; output is text. Each format is a versioned serialisation (see
``formats.SERIALISATIONS``) because the vocabularies keep moving.
"""

from __future__ import annotations

from optout.policy.compilers.agents import Agent, AgentRegistry
from optout.policy.compilers.bundle import SignalBundle, compile_bundle
from optout.policy.compilers.check import check_bundle
from optout.policy.compilers.messages import Finding
from optout.policy.compilers.spec import LabelFacts, PolicySpec
from optout.policy.compilers.vocab import Purpose, Stance, Use

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
