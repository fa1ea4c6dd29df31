"""Models of the policy app. Each sub-module holds one concern; import from here."""

from __future__ import annotations

from optout.policy.models.agents import AgentList, AgentPurpose
from optout.policy.models.audits import SignalAudit, SignalAuditFile
from optout.policy.models.policy import PolicyVersion
from optout.policy.models.signing import SigningCredential
from optout.policy.models.terms import TermsChannel, TermsPublication, TermsText
from optout.policy.models.territories import SignalKind, Territory, TerritoryNote

__all__ = [
    "AgentList",
    "AgentPurpose",
    "PolicyVersion",
    "SignalAudit",
    "SignalAuditFile",
    "SignalKind",
    "SigningCredential",
    "TermsChannel",
    "TermsPublication",
    "TermsText",
    "Territory",
    "TerritoryNote",
]
