"""Models of the policy app. Each sub-module holds one concern; import from here."""

from __future__ import annotations

from optout.policy.models.agents import AgentList, AgentPurpose

__all__ = ["AgentList", "AgentPurpose"]
