"""Every output format is a named, versioned serialisation of the policy.

When a standard moves (the IETF vocabulary changed three times in two years), a new
version is added here with its own mapping and golden files; stored policies never change.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Serialisation:
    key: str
    version: str
    reference: str


_ALL = (
    Serialisation(
        "robots",
        "rfc9309",
        "RFC 9309 groups; License: line of RSL 1.0; rules of draft-ietf-aipref-attach-05",
    ),
    Serialisation(
        "content-usage",
        "aipref-vocab-05",
        "draft-ietf-aipref-vocab-05..08 labels train-ai and search, Token y/n",
    ),
    Serialisation(
        "content-signal",
        "contentsignals-2025",
        "Cloudflare Content Signals Policy (Sept 2025): search, ai-input, ai-train",
    ),
    Serialisation(
        "tdmrep",
        "tdmrep-2024-05-10",
        "W3C TDMRep CG Final Report of 10 May 2024, /.well-known/tdmrep.json",
    ),
    Serialisation(
        "tdm-policy",
        "odrl-2.2-tdmrep",
        "ODRL 2.2 Offer with the TDMRep profile (http://www.w3.org/ns/tdmrep)",
    ),
    Serialisation("rsl", "rsl-1.0", "RSL 1.0 Specification, namespace https://rslstandard.org/rsl"),
    Serialisation("ai-txt", "spawning-2023", "Spawning ai.txt generator (robots-style globs)"),
    Serialisation(
        "headers",
        "2026-1",
        "tdm-reservation/tdm-policy (TDMRep), Content-Usage (aipref-attach-05), "
        "Link rel=license (RSL), X-Robots-Tag",
    ),
    Serialisation("html", "2026-1", "TDMRep meta tags, RSL link, robots meta"),
    Serialisation("nginx", "2026-1", "nginx map + add_header"),
    Serialisation("apache", "2026-1", "Apache 2.4 mod_rewrite + mod_headers"),
    Serialisation("caddy", "2026-1", "Caddy 2 named matcher + header directive"),
    Serialisation(
        "c2pa",
        "cawg-training-mining-1.1",
        "CAWG Training and Data Mining assertion 1.1 (cawg.training-mining)",
    ),
)

SERIALISATIONS: dict[str, Serialisation] = {s.key: s for s in _ALL}


def require_version(key: str, version: str | None) -> str:
    """The version to emit: the current one, or ``version`` if this build knows it."""
    current = SERIALISATIONS[key].version
    if version is None or version == current:
        return current
    raise ValueError(f"Unknown {key} serialisation {version!r}; this build emits {current!r}")
