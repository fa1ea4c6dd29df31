"""The compiler's input: one policy version and the label's public facts, frozen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from optout.policy.compilers.vocab import Purpose, Stance, Use, strictest


def _frozen(stances: Mapping[Use, Stance]) -> Mapping[Use, Stance]:
    return MappingProxyType({Use(k): Stance(v) for k, v in stances.items()})


@dataclass(frozen=True)
class PolicySpec:
    """One approved (or draft) version of a label's reservation policy.

    ``scope_paths`` are URL path prefixes on the label's sites (``("/",)`` is the whole
    site); the reservation and the crawler blocks apply inside them only.
    """

    version: int
    effective_date: date
    stances: Mapping[Use, Stance]
    blocked_purposes: frozenset[Purpose]
    scope_paths: tuple[str, ...] = ("/",)
    contact_email: str = ""
    contact_url: str = ""
    noarchive: bool = True
    """Send ``noarchive`` (Bing's documented opt-out from training on its pages)."""
    legacy_noai: bool = False
    """Also send the legacy ``noai, noimageai`` robots directives some tools read."""

    def __post_init__(self) -> None:
        missing = [u for u in Use if u not in self.stances]
        if missing:
            raise ValueError(f"PolicySpec needs a stance for every use; missing {missing}")
        object.__setattr__(self, "stances", _frozen(self.stances))
        object.__setattr__(self, "blocked_purposes", frozenset(self.blocked_purposes))
        if not self.scope_paths:
            raise ValueError("PolicySpec needs at least one scope path ('/' for the whole site)")

    def stance(self, *uses: Use) -> Stance:
        """The strictest stance among ``uses``."""
        return strictest(self.stances[u] for u in uses)

    @property
    def whole_site(self) -> bool:
        return "/" in self.scope_paths

    @property
    def paths(self) -> tuple[str, ...]:
        """The scope as path prefixes, ``("/",)`` when the whole site is in scope."""
        return ("/",) if self.whole_site else self.scope_paths


@dataclass(frozen=True)
class LabelFacts:
    """What the public may know about the label: nothing else reaches the outputs."""

    name: str
    slug: str
    public_base_url: str
    """Where this deployment hosts the label's signals, e.g. ``https://optout.example/s/acme``."""
    legal_name: str = ""
    contact_email: str = ""
    terms_url: str = ""
    """The label's own terms page; the hosted terms page when empty."""
    domains: tuple[str, ...] = field(default_factory=tuple)
    """The label's web sites in scope (host names), in a stable order."""

    @property
    def holder(self) -> str:
        return self.legal_name or self.name

    @property
    def base(self) -> str:
        return self.public_base_url.rstrip("/")

    @property
    def license_url(self) -> str:
        return f"{self.base}/license.xml"

    @property
    def tdm_policy_url(self) -> str:
        return f"{self.base}/tdm-policy.json"

    @property
    def hosted_terms_url(self) -> str:
        return f"{self.base}/terms/"

    @property
    def effective_terms_url(self) -> str:
        return self.terms_url or self.hosted_terms_url

    def contact_email_for(self, policy: PolicySpec) -> str:
        return policy.contact_email or self.contact_email

    def contact_url_for(self, policy: PolicySpec) -> str:
        return policy.contact_url or self.effective_terms_url
