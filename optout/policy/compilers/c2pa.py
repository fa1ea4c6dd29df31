"""The CAWG training-and-data-mining assertion (``cawg.training-mining``) of a policy."""

from __future__ import annotations

from typing import Any

from optout.policy.compilers.formats import require_version
from optout.policy.compilers.spec import PolicySpec
from optout.policy.compilers.vocab import Stance, Use

ASSERTION_LABEL = "cawg.training-mining"
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
