"""robots.txt: purpose-classified AI agent groups, usage preferences and the RSL licence.

Placement follows what real parsers read (standards.md 1a):

* ``License:`` is a global line: at the top, before any group.
* Each blocked purpose is one group: its ``User-agent:`` lines, then its rules, with no
  blank or foreign line between two ``User-agent:`` lines (that would end the group under
  RFC 9309 and Protego, or drop agents under ``urllib.robotparser``).
* ``Content-Signal:`` and ``Content-Usage:`` sit in the ``User-agent: *`` group after its
  ``User-agent:`` line, where the AIPREF and Content Signals drafts define them.
* Allowed agents get no group of their own: a more specific allow group would shadow a
  block under substring matchers (``Applebot`` before ``Applebot-Extended``).
* Every ``User-agent:`` line holds an RFC 9309 product token (letters, ``_`` and ``-``),
  because a compliant parser reads only the leading run of those characters: Google reads
  ``AI2Bot`` as ``AI``. A list name that is a token followed by a version, a second word
  or a domain (``iaskspider/2.0``, ``Brightbot 1.0``, ``Linguee Bot``, ``bigsur.ai``) is
  written as that first word, which is what compliant parsers read from it anyway. A name
  whose first token is cut inside a word (``AI2Bot``, ``Crawl4AI``, ``img2dataset``) has no
  token that names the agent: it is left out, and only the web-server rules refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass

from optout.policy.compilers.agents import Agent, AgentRegistry
from optout.policy.compilers.formats import require_version
from optout.policy.compilers.preferences import content_signal_value, content_usage_value
from optout.policy.compilers.robots_match import product_token
from optout.policy.compilers.spec import LabelFacts, PolicySpec
from optout.policy.compilers.vocab import AI_USES, Purpose

PURPOSE_TITLES: dict[Purpose | None, str] = {
    Purpose.TRAINING: "AI training and dataset crawlers",
    Purpose.CONTROL: "AI control tokens (no crawler of their own: they govern AI use of pages "
    "fetched for search)",
    Purpose.AI_SEARCH: "AI search and answer crawlers",
    Purpose.USER_FETCH: "AI assistants and agents fetching pages for a user",
    Purpose.SEARCH: "Search engines (this policy reserves search indexing)",
    None: "Not yet classified: refused until reviewed",
}
GROUP_ORDER: tuple[Purpose | None, ...] = (
    Purpose.TRAINING,
    Purpose.CONTROL,
    Purpose.AI_SEARCH,
    Purpose.USER_FETCH,
    Purpose.SEARCH,
    None,
)


@dataclass(frozen=True)
class RobotsPlan:
    groups: tuple[tuple[Purpose | None, tuple[Agent, ...]], ...]
    withheld: tuple[Agent, ...]
    """Blocked agents left out of robots.txt because, under substring-matching parsers such
    as ``urllib.robotparser``, their token would also refuse an allowed agent (``Spider``
    inside ``Baiduspider``). The web-server snippets still refuse them."""
    unnamed: tuple[Agent, ...] = ()
    """Blocked agents left out of robots.txt because no product token names them
    (``AI2Bot`` reads as ``AI``). The web-server snippets still refuse them."""

    @property
    def listed(self) -> list[Agent]:
        return [a for _purpose, agents in self.groups for a in agents]


def robots_token(agent: Agent) -> str | None:
    """The product token robots.txt names ``agent`` by; None when no token names it.

    The token is the leading run of letters, ``_`` and ``-`` (what RFC 9309 parsers read),
    kept when it is a whole word of the name: the name itself, or the name before a version
    (``/2.0``, `` 1.0``), a second word or a domain ending. Cut inside a word (``AI2Bot`` ->
    ``AI``) it would name some other crawler, or every crawler of that generic word.
    """
    token = product_token(agent.token)
    if not token:
        return None
    rest = agent.token[len(token) :]
    return token if not rest or rest[0] in " /." else None


def robots_plan(policy: PolicySpec, registry: AgentRegistry) -> RobotsPlan:
    blocked = registry.blocked(policy.blocked_purposes)
    allowed = [a.token.split("/", 1)[0].lower() for a in registry.allowed(policy.blocked_purposes)]
    unnamed = [a for a in blocked if robots_token(a) is None]
    tokens = {a.token: (robots_token(a) or "").lower() for a in blocked}
    withheld = [
        a
        for a in blocked
        if a not in unnamed
        and any(tokens[a.token] in other and tokens[a.token] != other for other in allowed)
    ]
    listed: dict[str, Agent] = {}
    for agent in blocked:
        if agent not in withheld and agent not in unnamed:
            listed.setdefault(tokens[agent.token], agent)
    groups = tuple(
        (purpose, tuple(a for a in listed.values() if a.purpose is purpose))
        for purpose in GROUP_ORDER
    )
    return RobotsPlan(
        groups=tuple(g for g in groups if g[1]), withheld=tuple(withheld), unnamed=tuple(unnamed)
    )


def _header(policy: PolicySpec, facts: LabelFacts, registry: AgentRegistry) -> list[str]:
    lines = [
        f"# robots.txt of {_one_line(facts.name)}, generated by Optout from reservation policy "
        f"version {policy.version}",
        f"# (effective {policy.effective_date.isoformat()}). Change the policy, not this file.",
    ]
    if any(policy.stances[u].restricts for u in AI_USES):
        lines += [
            f"# {_one_line(facts.holder)} expressly reserves its rights in the content of this "
            "site against the",
            "# AI and text and data mining uses named in its terms, under Article 4(3) of "
            "Directive (EU)",
            f"# 2019/790 and every comparable law. Terms: {facts.effective_terms_url}",
        ]
    if registry.source:
        lines.append(f"# AI agent list: {_one_line(registry.source)}, classified by purpose.")
    return lines


def compile_robots(
    policy: PolicySpec, facts: LabelFacts, registry: AgentRegistry, *, version: str | None = None
) -> str:
    require_version("robots", version)
    plan = robots_plan(policy, registry)
    lines = _header(policy, facts, registry)
    lines.append(f"License: {facts.license_url}")
    for purpose, agents in plan.groups:
        lines += ["", f"# {PURPOSE_TITLES[purpose]}"]
        lines += [f"User-agent: {robots_token(a)}" for a in agents]
        lines += [f"Disallow: {path}" for path in policy.paths]
    lines.append("")
    if plan.withheld:
        lines.append(
            "# Refused by the web-server rules, not listed here (their names would also "
            "match allowed"
        )
        lines.append(
            "# agents in substring-matching parsers): " + ", ".join(a.token for a in plan.withheld)
        )
    if plan.unnamed:
        lines.append(
            "# Refused by the web-server rules, not listed here (no robots.txt product token "
            "names them):"
        )
        lines.append("# " + ", ".join(a.token for a in plan.unnamed))
    if not policy.whole_site:
        lines.append("# Content-Signal has no path form, so it is left out for a partial scope.")
    lines.append("User-agent: *")
    usage = content_usage_value(policy)
    if policy.whole_site:
        lines.append(f"Content-Signal: {content_signal_value(policy)}")
        lines.append(f"Content-Usage: {usage}")
    else:
        lines += [f"Content-Usage: {path} {usage}" for path in policy.paths]
    lines.append("Allow: /")
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())
