"""Structural checks of any robots.txt (ours or one fetched from a live site).

Real parsers disagree on badly placed lines (standards.md 1a, invalid cases 1-4); these
checks name the lines that make them disagree or silently lift a block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import http_sf

from optout.policy.compilers.messages import Finding, gettext_noop

_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$")
_LINE_END = re.compile(r"\r\n|\r|\n")
RULE_FIELDS = {"allow", "disallow"}
_CONTENT_SIGNAL_KEYS = {"search", "ai-input", "ai-train"}


@dataclass
class Group:
    agents: list[str] = field(default_factory=list)
    rules: list[tuple[str, str]] = field(default_factory=list)
    extensions: list[tuple[int, str, str]] = field(default_factory=list)
    """Other lines inside the group: (line number, lower-case field, value)."""
    first_line: int = 0
    split_by: tuple[int, str] | None = None
    """(line number, field) of a line between its User-agent lines and the next group's."""


@dataclass
class RobotsFile:
    groups: list[Group]
    global_lines: list[tuple[int, str, str]]
    problems: list[Finding]


def _strip_comment(line: str) -> str:
    index = line.find("#")
    return line if index < 0 else line[:index]


def parse_robots(text: str, *, file: str = "robots.txt") -> RobotsFile:
    """Group the lines as Protego does (a foreign line ends a group), naming where the
    parsers differ; which agent may fetch what is ``robots_match``'s answer, not this."""
    groups: list[Group] = []
    global_lines: list[tuple[int, str, str]] = []
    problems: list[Finding] = []
    current: Group | None = None
    in_agents = False
    blank_since_agent = False
    # Lines end at LF, CR or CRLF only, as in RFC 9309 and Google's parser; a byte order
    # mark before the first line is not part of it.
    for number, raw in enumerate(_LINE_END.split(text.removeprefix("\ufeff")), start=1):
        if not raw.strip():
            if in_agents:
                blank_since_agent = True
            continue
        line = _strip_comment(raw).strip()
        if not line:
            continue
        match = _FIELD.match(line)
        if match is None:
            problems.append(
                Finding(
                    file,
                    gettext_noop("Line %(line)s is not a “field: value” line and is ignored."),
                    {"line": number},
                )
            )
            continue
        name, value = match.group(1).lower(), match.group(2)
        if name == "user-agent":
            if current is not None and current.split_by and not current.rules:
                problems.append(
                    Finding(
                        file,
                        gettext_noop(
                            "The %(field)s line at line %(line)s sits between User-agent lines: "
                            "Protego ends the group there and leaves %(agents)s unrestricted, "
                            "while RFC 9309 parsers and urllib.robotparser read one group."
                        ),
                        {
                            "field": current.split_by[1].title(),
                            "line": current.split_by[0],
                            "agents": ", ".join(current.agents),
                        },
                    )
                )
            if current is None or not in_agents:
                current = Group(first_line=number)
                groups.append(current)
            elif blank_since_agent:
                problems.append(
                    Finding(
                        file,
                        gettext_noop(
                            "A blank line splits the User-agent lines of the group at line "
                            "%(line)s: urllib.robotparser drops the agents before it while "
                            "Protego keeps them."
                        ),
                        {"line": current.first_line},
                    )
                )
            current.agents.append(value)
            in_agents = True
            blank_since_agent = False
            continue
        if current is not None and in_agents and blank_since_agent and name in RULE_FIELDS:
            problems.append(
                Finding(
                    file,
                    gettext_noop(
                        "A blank line separates the User-agent lines at line %(line)s from their "
                        "rules: urllib.robotparser does not apply the rules to them."
                    ),
                    {"line": current.first_line},
                )
            )
        in_agents = False
        blank_since_agent = False
        if current is not None and name not in RULE_FIELDS and not current.rules:
            current.split_by = current.split_by or (number, name)
        if name in RULE_FIELDS:
            if current is None:
                problems.append(
                    Finding(
                        file,
                        gettext_noop(
                            "The rule at line %(line)s comes before any User-agent line and is "
                            "ignored."
                        ),
                        {"line": number},
                    )
                )
                continue
            if value and not value.startswith(("/", "*")):
                problems.append(
                    Finding(
                        file,
                        gettext_noop(
                            "The path “%(path)s” at line %(line)s does not start with “/”: parsers "
                            "read it differently."
                        ),
                        {"path": value, "line": number},
                    )
                )
            current.rules.append((name, value))
        elif name in {"license", "sitemap"} or current is None:
            global_lines.append((number, name, value))
        else:
            current.extensions.append((number, name, value))
    for group in groups:
        if not group.rules and not (group.split_by and group is not groups[-1]):
            problems.append(
                Finding(
                    file,
                    gettext_noop(
                        "The group for %(agents)s (line %(line)s) has no Allow or Disallow "
                        "rule, so it restricts nothing."
                    ),
                    {"agents": ", ".join(group.agents), "line": group.first_line},
                )
            )
    return RobotsFile(groups=groups, global_lines=global_lines, problems=problems)


def parse_content_usage(value: str) -> tuple[str | None, dict[str, bool | None]] | None:
    """``[path ]prefs`` -> (path, label -> allowed/None for unknown); None if unparseable."""
    path: str | None = None
    text = value.strip()
    if text.startswith("/"):
        parts = text.split(None, 1)
        path = parts[0]
        text = parts[1] if len(parts) > 1 else ""
    try:
        parsed = http_sf.parse(text.encode("ascii"), tltype="dictionary")
    except (http_sf.StructuredFieldError, UnicodeEncodeError):
        return None
    prefs: dict[str, bool | None] = {}
    assert isinstance(parsed, dict)
    for key, member in parsed.items():
        item: Any = member[0] if isinstance(member, tuple) else None
        token = str(item) if isinstance(item, http_sf.Token) else None
        prefs[key] = {"y": True, "n": False}.get(token) if token is not None else None
    return path, prefs


def parse_content_signal(value: str) -> dict[str, bool] | None:
    """``search=yes, ai-train=no`` -> key -> allowed; None when malformed."""
    prefs: dict[str, bool] = {}
    for part in value.split(","):
        key, sep, word = part.strip().partition("=")
        if not sep or " " in word.strip() or word.strip() not in {"yes", "no"}:
            return None
        prefs[key.strip()] = word.strip() == "yes"
    return prefs


def preference_problems(robots: RobotsFile, *, file: str = "robots.txt") -> list[Finding]:
    problems = []
    for number, name, value in robots.global_lines:
        if name == "license" and not value.startswith(("https://", "http://")):
            problems.append(
                Finding(
                    file,
                    gettext_noop(
                        "The License line %(line)s must hold an absolute URL, not “%(value)s”."
                    ),
                    {"line": number, "value": value},
                )
            )
        if name in {"content-usage", "content-signal"}:
            problems.append(
                Finding(
                    file,
                    gettext_noop(
                        "%(field)s at line %(line)s is outside any User-agent group and is ignored."
                    ),
                    {"field": name.title(), "line": number},
                )
            )
    for group in robots.groups:
        for number, name, value in group.extensions:
            if name == "content-usage" and parse_content_usage(value) is None:
                problems.append(
                    Finding(
                        file,
                        gettext_noop(
                            "Content-Usage at line %(line)s is not a valid preference list "
                            "(keys are lower case, values are y or n): “%(value)s”."
                        ),
                        {"line": number, "value": value},
                    )
                )
            if name == "content-signal":
                prefs = parse_content_signal(value)
                if prefs is None or not set(prefs) & _CONTENT_SIGNAL_KEYS:
                    problems.append(
                        Finding(
                            file,
                            gettext_noop(
                                "Content-Signal at line %(line)s is malformed (expected e.g. "
                                "“search=yes, ai-train=no”): “%(value)s”."
                            ),
                            {"line": number, "value": value},
                        )
                    )
    return problems
