"""The consistency check reads every output back and catches each kind of disagreement."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import pytest

from optout.policy.compilers import SignalBundle, check_bundle, compile_bundle
from optout.policy.compilers.robots_lint import parse_robots, preference_problems
from tests.policy.cases import CASES, FACTS, default_policy, sample_registry

REGISTRY = sample_registry()


def _tampered(bundle: SignalBundle, name: str, old: str, new: str) -> SignalBundle:
    assert old in bundle[name], f"{old!r} is not in {name}"
    files = dict(bundle.files)
    files[name] = files[name].replace(old, new, 1)
    return replace(bundle, files=MappingProxyType(files))


def _messages(bundle: SignalBundle) -> list[str]:
    return [str(f) for f in check_bundle(bundle, REGISTRY)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_compiled_output_agrees_with_its_policy(case: str) -> None:
    assert _messages(compile_bundle(CASES[case](), FACTS, REGISTRY)) == []


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        ("robots.txt", "User-agent: GPTBot\n", "", "GPTBot may fetch"),
        (
            "robots.txt",
            "User-agent: ClaudeBot\nUser-agent: GPTBot\n",
            "User-agent: ClaudeBot\n\nUser-agent: GPTBot\n",
            "blank line splits",
        ),
        (
            "robots.txt",
            "Content-Usage: train-ai=n, search=y",
            "Content-Usage: train-ai=no, search=y",
            "Content-Usage says",
        ),
        (
            "robots.txt",
            "Content-Signal: search=yes, ai-train=no, ai-input=no",
            "Content-Signal: search=y, ai-train=n",
            "malformed",
        ),
        (
            "robots.txt",
            "License: https://optout.example/s/nordic-beats/license.xml",
            "License: /license.xml",
            "absolute URL",
        ),
        ("robots.txt", "User-agent: *\n", "User-agent: *\nDisallow: /\n", "Googlebot is refused"),
        (
            ".well-known/tdmrep.json",
            '"tdm-reservation": 1',
            '"tdm-reservation": "1"',
            "tdm-reservation for / is",
        ),
        (".well-known/tdmrep.json", "[\n", "", "not valid JSON"),
        ("tdm-policy.json", '"Offer"', '"Set"', "@type"),
        ("license.xml", "ai-train ai-input ai-index", "ai-input ai-index", "“ai-train” is absent"),
        ("license.xml", 'xmlns="https://rslstandard.org/rsl"', "", "RSL namespace"),
        ("ai.txt", "Disallow: *.mp3\n", "Allow: *.mp3\n", "ai.txt does not refuse /song.mp3"),
        ("headers.txt", "tdm-reservation: 1", "tdm-reservation: true", "“tdm-reservation” header"),
        ("headers.txt", "X-Robots-Tag: noarchive\n", "", "“X-Robots-Tag” header"),
        ("head.html", '<meta name="tdm-reservation" content="1">', "", "“tdm-reservation” tag"),
        (
            "nginx/optout-maps.conf",
            '    "~*(?:^|[\\s(;,])GPTBot(?:[/;)\\s,]|$)" 1;\n',
            "",
            "nginx does not refuse GPTBot",
        ),
        ("apache/optout.conf", "GPTBot", "GPTBot2", "apache does not refuse GPTBot"),
        ("caddy/optout.caddy", "|GPTBot|", "|GPTBot|Googlebot|", "caddy refuses Googlebot"),
        (
            "caddy/optout.caddy",
            "    Content-Usage `train-ai=n, search=y`\n",
            "",
            "“Content-Usage” header",
        ),
    ],
)
def test_it_names_each_planted_disagreement(name: str, old: str, new: str, expected: str) -> None:
    bundle = _tampered(compile_bundle(default_policy(), FACTS, REGISTRY), name, old, new)
    messages = _messages(bundle)
    assert any(expected in m for m in messages), messages


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # standards.md 1a, invalid 1: a blank line inside a group.
        ("User-agent: GPTBot\n\nUser-agent: CCBot\nDisallow: /\n", "blank line splits"),
        # invalid 2: a foreign line between two User-agent lines ends the GPTBot group in
        # Protego; RFC 9309 parsers (Google's) and urllib.robotparser read one group.
        (
            "User-agent: GPTBot\nContent-Usage: train-ai=n\nUser-agent: ClaudeBot\nDisallow: /\n",
            "The Content-Usage line at line 2 sits between User-agent lines: Protego ends the "
            "group there and leaves GPTBot unrestricted",
        ),
        # invalid 3: a path without a leading slash.
        ("User-agent: GPTBot\nDisallow: *.mp3\nDisallow: mp3\n", "does not start with “/”"),
        # invalid 4: a group with no rule.
        ("User-agent: GPTBot\n", "has no Allow or Disallow rule"),
        ("License: /license.xml\nUser-agent: *\nAllow: /\n", "absolute URL"),
        ("User-agent: *\nContent-Usage: Train-AI=n\nAllow: /\n", "not a valid preference list"),
        ("User-agent: *\nContent-Signal: search=yes ai-train=no\nAllow: /\n", "malformed"),
        ("Content-Usage: train-ai=n\nUser-agent: *\nAllow: /\n", "outside any User-agent group"),
    ],
)
def test_the_robots_linter_flags_the_documented_invalid_cases(text: str, expected: str) -> None:
    parsed = parse_robots(text)
    messages = [str(f) for f in parsed.problems + preference_problems(parsed)]
    assert any(expected in m for m in messages), messages


def test_the_robots_linter_accepts_the_documented_correct_file() -> None:
    text = (
        "# Generated\nLicense: https://label.example/license.xml\n\n"
        "User-agent: GPTBot\nUser-agent: ClaudeBot\nUser-agent: CCBot\nDisallow: /\n\n"
        "User-agent: *\nContent-Signal: search=yes, ai-train=no\nContent-Usage: train-ai=n\n"
        "Allow: /\n"
    )
    parsed = parse_robots(text)
    assert parsed.problems + preference_problems(parsed) == []
