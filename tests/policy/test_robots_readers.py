"""The generated robots.txt read back by three independent readers, alone and pasted after a
site's own rules: Protego, urllib.robotparser and the RFC 9309 reader that gives Google's
verdict on every case of Google's parser tests."""

from __future__ import annotations

from collections.abc import Callable
from urllib.robotparser import RobotFileParser

import pytest
from protego import Protego

from optout.policy.compilers import AgentRegistry, PolicySpec, Purpose, compile_bundle
from optout.policy.compilers.robots import robots_plan, robots_token
from optout.policy.compilers.robots_match import RobotsRules, product_token
from optout.policy.services.agents import agent_registry
from tests.policy.cases import CASES, FACTS, default_policy, sample_registry

HOST = "https://nordicbeats.example"
# What the bundle README tells a site with a robots.txt of its own to do: keep its rules
# (here a User-agent: * group, saved with CRLF) and paste ours after them.
SITE_OWN = "User-agent: *\r\nDisallow: /cart/\r\nDisallow: /search\r\n\r\n"
SEARCH_ENGINES = ("Googlebot", "Bingbot", "Applebot", "DuckDuckBot", "Baiduspider")

Reader = Callable[[str, str], bool]
"""(agent name as the registry lists it, URL) -> may it fetch."""


def _readers(text: str) -> dict[str, Reader]:
    protego = Protego.parse(text)
    urllib = RobotFileParser()
    urllib.parse(text.splitlines())
    rfc = RobotsRules(text)
    return {
        "Protego": lambda name, url: protego.can_fetch(url, name),
        # urllib cuts the name at "/" and matches substrings: give it the listed name.
        "urllib.robotparser": lambda name, url: urllib.can_fetch(name, url),
        # A compliant crawler compares its product token.
        "RFC 9309": lambda name, url: rfc.allowed(user_agent=product_token(name), url=url),
    }


def _inside(policy: PolicySpec) -> list[str]:
    return [p + ("song.mp3" if p.endswith("/") else "/song.mp3") for p in policy.paths]


def _assert_read_as_intended(policy: PolicySpec, registry: AgentRegistry, text: str) -> None:
    plan = robots_plan(policy, registry)
    readers = _readers(text)
    outside = None if policy.whole_site else "/~elsewhere/page"
    for agent in plan.listed:
        assert robots_token(agent) is not None
        for name, may_fetch in readers.items():
            for path in _inside(policy):
                assert not may_fetch(agent.token, HOST + path), (name, agent.token, path)
            if outside:
                assert may_fetch(agent.token, HOST + outside), (name, agent.token, outside)
    allowed = [a.token for a in registry.allowed(policy.blocked_purposes)]
    if Purpose.SEARCH not in policy.blocked_purposes:
        allowed += [t for t in SEARCH_ENGINES if registry.get(t) is None]
    for token in allowed:
        for name, may_fetch in readers.items():
            for path in _inside(policy):
                assert may_fetch(token, HOST + path), (name, token, path)
            if text.startswith(SITE_OWN):
                # The site's own * group still binds every crawler without a group of its own.
                assert not may_fetch(token, HOST + "/cart/1"), (name, token)


@pytest.mark.parametrize("own", ["", SITE_OWN], ids=["alone", "after-site-rules"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_reader_reads_the_generated_file_as_intended(case: str, own: str) -> None:
    policy, registry = CASES[case](), sample_registry()
    text = own + compile_bundle(policy, FACTS, registry)["robots.txt"]
    _assert_read_as_intended(policy, registry, text)


@pytest.mark.django_db
@pytest.mark.parametrize("own", ["", SITE_OWN], ids=["alone", "after-site-rules"])
def test_every_reader_reads_the_full_list_as_intended(own: str) -> None:
    policy, registry = default_policy(), agent_registry()
    text = own + compile_bundle(policy, FACTS, registry)["robots.txt"]
    _assert_read_as_intended(policy, registry, text)


def test_a_real_user_agent_header_is_refused_by_protego() -> None:
    text = compile_bundle(default_policy(), FACTS, sample_registry())["robots.txt"]
    protego = Protego.parse(SITE_OWN + text)
    header = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
    assert not protego.can_fetch(HOST + "/", header + "+https://openai.com/gptbot)")
    assert protego.can_fetch(HOST + "/", "Mozilla/5.0 (compatible; Googlebot/2.1)")
