"""W3C TDMRep: ``/.well-known/tdmrep.json`` and the ODRL TDM policy it points to."""

from __future__ import annotations

import json
from typing import Any

from optout.policy.compilers.formats import require_version
from optout.policy.compilers.spec import LabelFacts, PolicySpec
from optout.policy.compilers.vocab import Stance, Use


def tdm_reservation(policy: PolicySpec) -> int:
    """1 (rights reserved: the Art. 4(3) opt-out) unless TDM is allowed."""
    return 1 if policy.stance(Use.TDM).restricts else 0


def tdmrep_rules(policy: PolicySpec, facts: LabelFacts) -> list[dict[str, Any]]:
    """One rule per scope path. Outside the scope nothing matches, so nothing is declared."""
    reserved = tdm_reservation(policy)
    rules = []
    for path in policy.paths:
        rule: dict[str, Any] = {"location": path, "tdm-reservation": reserved}
        if reserved:
            rule["tdm-policy"] = facts.tdm_policy_url
        rules.append(rule)
    return rules


def compile_tdmrep(policy: PolicySpec, facts: LabelFacts, *, version: str | None = None) -> str:
    require_version("tdmrep", version)
    # An array even for one rule: the brackets are mandatory.
    return json.dumps(tdmrep_rules(policy, facts), indent=2, ensure_ascii=False) + "\n"


def tdm_policy_document(policy: PolicySpec, facts: LabelFacts) -> dict[str, Any]:
    assigner: dict[str, Any] = {
        "uid": f"https://{facts.domains[0]}/" if facts.domains else facts.base + "/",
        "vcard:fn": facts.holder,
    }
    if facts.legal_name and facts.legal_name != facts.name:
        assigner["vcard:nickname"] = facts.name
    email = facts.contact_email_for(policy)
    if email:
        assigner["vcard:hasEmail"] = f"mailto:{email}"
    assigner["vcard:hasURL"] = facts.contact_url_for(policy)
    permission: dict[str, Any] = {"action": "tdm:mine"}
    stance = policy.stance(Use.TDM)
    if stance is not Stance.ALLOWED:
        # Reserved or licensable: mining needs the holder's consent either way; the terms
        # say whether a licence is on offer.
        permission["duty"] = [{"action": "obtainConsent"}]
    return {
        "@context": ["http://www.w3.org/ns/odrl.jsonld", "http://www.w3.org/ns/tdmrep.jsonld"],
        "@type": "Offer",
        "profile": "http://www.w3.org/ns/tdmrep",
        "uid": f"{facts.tdm_policy_url}#v{policy.version}",
        "assigner": assigner,
        "permission": [permission],
    }


def compile_tdm_policy(policy: PolicySpec, facts: LabelFacts, *, version: str | None = None) -> str:
    require_version("tdm-policy", version)
    return json.dumps(tdm_policy_document(policy, facts), indent=2, ensure_ascii=False) + "\n"
