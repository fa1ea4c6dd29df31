"""The training-and-data-mining assertions of a policy for C2PA manifests.

``cawg.training-mining`` (CAWG 1.1) is the current one. ``c2pa.training-mining`` is the
label C2PA 1.x defined before CAWG took it over; readers written for it (Spawning's
datadiligence among them) see nothing else, so it is written beside the current one with
the same stances (docs/policy.md).
"""

from __future__ import annotations

from typing import Any

from optout.policy.compilers.formats import require_version
from optout.policy.compilers.spec import PolicySpec
from optout.policy.compilers.vocab import Stance, Use

ASSERTION_LABEL = "cawg.training-mining"
LEGACY_ASSERTION_LABEL = "c2pa.training-mining"
# CAWG 1.1 entry -> our uses.
ENTRIES: dict[str, tuple[Use, ...]] = {
    "cawg.data_mining": (Use.TDM,),
    "cawg.ai_inference": (Use.AI_INPUT,),
    "cawg.ai_generative_training": (Use.GENAI_TRAIN,),
    "cawg.ai_training": (Use.AI_TRAIN,),
}
_USE = {Stance.ALLOWED: "allowed", Stance.RESERVED: "notAllowed", Stance.LICENSABLE: "constrained"}


def training_mining_assertion(
    policy: PolicySpec, *, constraint_info: str, version: str | None = None
) -> dict[str, Any]:
    """``{"label": "cawg.training-mining", "data": {"entries": ...}}`` for a manifest.

    A licensable use is ``constrained`` with ``constraint_info`` (where to ask for a
    licence); readers treat ``constrained`` without that as ``notAllowed``.
    """
    require_version("c2pa", version)
    entries: dict[str, Any] = {}
    for key, uses in ENTRIES.items():
        stance = policy.stance(*uses)
        entry: dict[str, Any] = {"use": _USE[stance]}
        if stance is Stance.LICENSABLE:
            entry["constraint_info"] = constraint_info
        entries[key] = entry
    return {"label": ASSERTION_LABEL, "data": {"entries": entries}}


def legacy_training_mining_assertion(cawg: dict[str, Any]) -> dict[str, Any]:
    """The same entries under the C2PA 1.x label and names (``c2pa.ai_training`` …)."""
    entries = {
        key.replace("cawg.", "c2pa.", 1): dict(entry)
        for key, entry in cawg["data"]["entries"].items()
    }
    return {"label": LEGACY_ASSERTION_LABEL, "data": {"entries": entries}}
