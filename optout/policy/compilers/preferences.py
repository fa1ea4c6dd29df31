"""Usage-preference vocabularies: IETF AI Preferences (Content-Usage) and Content Signals."""

from __future__ import annotations

import http_sf

from optout.policy.compilers.formats import require_version
from optout.policy.compilers.spec import PolicySpec
from optout.policy.compilers.vocab import Use

# aipref-vocab-05 to -08: two labels only. train-ai covers every kind of model training.
_CONTENT_USAGE: dict[str, dict[str, tuple[Use, ...]]] = {
    "aipref-vocab-05": {
        "train-ai": (Use.AI_TRAIN, Use.GENAI_TRAIN),
        "search": (Use.SEARCH,),
    },
}

_CONTENT_SIGNAL: dict[str, dict[str, tuple[Use, ...]]] = {
    "contentsignals-2025": {
        "search": (Use.SEARCH,),
        "ai-train": (Use.AI_TRAIN, Use.GENAI_TRAIN),
        "ai-input": (Use.AI_INPUT,),
    },
}


def content_usage_prefs(policy: PolicySpec, *, version: str | None = None) -> dict[str, bool]:
    """Label -> allowed, in the vocabulary's order."""
    mapping = _CONTENT_USAGE[require_version("content-usage", version)]
    return {key: not policy.stance(*uses).restricts for key, uses in mapping.items()}


def content_usage_value(policy: PolicySpec, *, version: str | None = None) -> str:
    """The RFC 9651 Dictionary, e.g. ``train-ai=n, search=y``."""
    prefs = content_usage_prefs(policy, version=version)
    value = http_sf.ser({k: http_sf.Token("y" if v else "n") for k, v in prefs.items()})
    assert isinstance(value, str)
    return value


def content_signal_prefs(policy: PolicySpec, *, version: str | None = None) -> dict[str, bool]:
    mapping = _CONTENT_SIGNAL[require_version("content-signal", version)]
    return {key: not policy.stance(*uses).restricts for key, uses in mapping.items()}


def content_signal_value(policy: PolicySpec, *, version: str | None = None) -> str:
    """``search=yes, ai-train=no, ai-input=no`` (yes/no, comma separated)."""
    prefs = content_signal_prefs(policy, version=version)
    return ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in prefs.items())
