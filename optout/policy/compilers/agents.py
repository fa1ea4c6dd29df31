"""Crawler user agents and what each collects pages for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from optout.policy.compilers.vocab import Purpose


@dataclass(frozen=True)
class Agent:
    token: str
    """The exact user-agent product token, as crawlers match it in robots.txt."""
    purpose: Purpose | None
    """None: not yet classified. Such an agent is blocked until someone classifies it."""
    operator: str = ""
    note: str = ""

    @property
    def classified(self) -> bool:
        return self.purpose is not None


@dataclass(frozen=True)
class AgentRegistry:
    agents: tuple[Agent, ...]
    source: str = ""
    """Where the list came from, e.g. ``ai-robots-txt/ai.robots.txt 738c80d (2026-08-22)``."""

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for agent in self.agents:
            if agent.token in seen:
                raise ValueError(f"Agent {agent.token!r} is listed twice")
            seen.add(agent.token)
        # Case-insensitive sort, as the community list orders its robots.txt.
        ordered = tuple(sorted(self.agents, key=lambda a: (a.token.lower(), a.token)))
        object.__setattr__(self, "agents", ordered)

    def get(self, token: str) -> Agent | None:
        for agent in self.agents:
            if agent.token == token:
                return agent
        return None

    def with_purpose(self, purpose: Purpose) -> list[Agent]:
        return [a for a in self.agents if a.purpose is purpose]

    @property
    def unclassified(self) -> list[Agent]:
        return [a for a in self.agents if a.purpose is None]

    def blocked(self, purposes: Iterable[Purpose]) -> list[Agent]:
        """Agents refused under a policy blocking ``purposes``; unclassified ones always."""
        chosen = set(purposes)
        return [a for a in self.agents if a.purpose is None or a.purpose in chosen]

    def allowed(self, purposes: Iterable[Purpose]) -> list[Agent]:
        chosen = set(purposes)
        return [a for a in self.agents if a.purpose is not None and a.purpose not in chosen]


def registry_from_data(
    *,
    robots_json: Mapping[str, Mapping[str, Any]],
    classification: Mapping[str, str],
    extra: Iterable[Mapping[str, str]] = (),
    notes: Mapping[str, str] | None = None,
    source: str = "",
) -> AgentRegistry:
    """Join the community list with our purpose classification.

    ``classification`` maps a token to a ``Purpose`` value; a token of the list that it does
    not name stays unclassified. ``extra`` adds agents the list leaves out on purpose (the
    ordinary search engines), each with its ``token``, ``purpose`` and ``operator``.
    """
    agents = []
    for token, facts in robots_json.items():
        purpose = classification.get(token)
        agents.append(
            Agent(
                token=token,
                purpose=Purpose(purpose) if purpose else None,
                operator=_plain(str(facts.get("operator", ""))),
                note=(notes or {}).get(token, ""),
            )
        )
    listed = set(robots_json)
    for row in extra:
        if row["token"] in listed:
            continue
        agents.append(
            Agent(
                token=row["token"],
                purpose=Purpose(row["purpose"]),
                operator=row.get("operator", ""),
                note=row.get("note", ""),
            )
        )
    return AgentRegistry(agents=tuple(agents), source=source)


def _plain(markdown: str) -> str:
    """``[OpenAI](https://openai.com)`` -> ``OpenAI``; the list's operators are markdown."""
    text = markdown.strip()
    if text.startswith("[") and "](" in text:
        return text[1 : text.index("](")]
    if text.lower().startswith("unclear at this time"):
        return ""
    return text


AGENT_FIELDS = ("operator", "respect", "function", "frequency", "description")


def parse_robots_json(data: object) -> dict[str, dict[str, Any]]:
    """Check the shape of a community ``robots.json``; ValueError names the first problem."""
    if not isinstance(data, dict) or not data:
        raise ValueError("The file must be a JSON object keyed by user-agent token.")
    agents: dict[str, dict[str, Any]] = {}
    for token, facts in data.items():
        if not token.strip() or token != token.strip() or "\n" in token:
            raise ValueError(f"{token!r} is not a usable user-agent token.")
        if not isinstance(facts, dict):
            raise ValueError(f"The entry of {token!r} must be an object.")
        for name in AGENT_FIELDS:
            if not isinstance(facts.get(name, ""), str):
                raise ValueError(f"The field {name!r} of {token!r} must be text.")
        agents[token] = dict(facts)
    return agents


@dataclass(frozen=True)
class AgentListDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[tuple[str, tuple[str, ...]], ...]
    """(token, names of the fields whose text changed)."""

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_agent_lists(
    old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> AgentListDiff:
    def order(tokens: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(tokens, key=lambda t: (t.lower(), t)))

    changed = []
    for token in order(set(old) & set(new)):
        fields = tuple(
            sorted(
                name
                for name in set(old[token]) | set(new[token])
                if old[token].get(name) != new[token].get(name)
            )
        )
        if fields:
            changed.append((token, fields))
    return AgentListDiff(
        added=order(set(new) - set(old)),
        removed=order(set(old) - set(new)),
        changed=tuple(changed),
    )
