"""Compile one policy into every output at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from optout.policy.compilers.agents import AgentRegistry
from optout.policy.compilers.aitxt import compile_ai_txt
from optout.policy.compilers.formats import SERIALISATIONS
from optout.policy.compilers.headers import compile_headers, compile_html_head, header_set
from optout.policy.compilers.robots import compile_robots, robots_plan
from optout.policy.compilers.rsl import compile_rsl
from optout.policy.compilers.servers import (
    compile_apache,
    compile_caddy,
    compile_nginx,
    server_plan,
)
from optout.policy.compilers.spec import LabelFacts, PolicySpec
from optout.policy.compilers.tdmrep import compile_tdm_policy, compile_tdmrep

# File name in the bundle -> (media type, what it is). The paths are where each file goes
# on the label's own web server.
BUNDLE_FILES: dict[str, tuple[str, str]] = {
    "robots.txt": ("text/plain; charset=utf-8", "robots.txt for the site root"),
    "ai.txt": ("text/plain; charset=utf-8", "Spawning ai.txt for the site root"),
    ".well-known/tdmrep.json": ("application/json", "TDMRep origin file"),
    "tdm-policy.json": ("application/ld+json", "ODRL TDM policy (hosted by Optout)"),
    "license.xml": ("application/rsl+xml", "RSL licence (hosted by Optout)"),
    "headers.txt": ("text/plain; charset=utf-8", "HTTP response headers"),
    "head.html": ("text/html; charset=utf-8", "tags for the HTML <head> of every page"),
    "nginx/optout-maps.conf": ("text/plain; charset=utf-8", "nginx: http {} block"),
    "nginx/optout-server.conf": ("text/plain; charset=utf-8", "nginx: each server {} block"),
    "apache/optout.conf": ("text/plain; charset=utf-8", "Apache: VirtualHost or .htaccess"),
    "caddy/optout.caddy": ("text/plain; charset=utf-8", "Caddy: each site block"),
}


@dataclass(frozen=True)
class SignalBundle:
    policy: PolicySpec
    facts: LabelFacts
    files: Mapping[str, str]
    headers: tuple[tuple[str, str], ...]
    withheld_from_robots: tuple[str, ...]
    """Refused by the server rules, left out of robots.txt: their token would also name an
    allowed agent in substring-matching parsers."""
    versions: Mapping[str, str] = field(default_factory=dict)
    unnamed_in_robots: tuple[str, ...] = ()
    """Refused by the server rules, left out of robots.txt: no product token names them."""
    robots_txt_only: tuple[str, ...] = ()
    """Refused in robots.txt only: a User-Agent rule for them would refuse a browser too."""

    @property
    def server_rules_only(self) -> tuple[str, ...]:
        """Every blocked agent robots.txt does not reach."""
        return (*self.withheld_from_robots, *self.unnamed_in_robots)

    def __getitem__(self, name: str) -> str:
        return self.files[name]


def compile_bundle(policy: PolicySpec, facts: LabelFacts, registry: AgentRegistry) -> SignalBundle:
    files = {
        "robots.txt": compile_robots(policy, facts, registry),
        "ai.txt": compile_ai_txt(policy, facts),
        ".well-known/tdmrep.json": compile_tdmrep(policy, facts),
        "tdm-policy.json": compile_tdm_policy(policy, facts),
        "license.xml": compile_rsl(policy, facts),
        "headers.txt": compile_headers(policy, facts),
        "head.html": compile_html_head(policy, facts),
        **compile_nginx(policy, facts, registry),
        "apache/optout.conf": compile_apache(policy, facts, registry),
        "caddy/optout.caddy": compile_caddy(policy, facts, registry),
    }
    assert set(files) == set(BUNDLE_FILES)
    plan = robots_plan(policy, registry)
    return SignalBundle(
        policy=policy,
        facts=facts,
        files=MappingProxyType(files),
        headers=tuple(header_set(policy, facts)),
        withheld_from_robots=tuple(a.token for a in plan.withheld),
        versions=MappingProxyType({k: s.version for k, s in SERIALISATIONS.items()}),
        unnamed_in_robots=tuple(a.token for a in plan.unnamed),
        robots_txt_only=tuple(a.token for a in server_plan(policy, registry).robots_only),
    )
