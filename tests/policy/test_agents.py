"""The AI agent registry: the vendored list, our classification, refresh_agents."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.robotparser import RobotFileParser

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from protego import Protego

from optout.policy.compilers import Purpose, check_bundle, compile_bundle
from optout.policy.compilers.robots import robots_plan
from optout.policy.compilers.robots_match import RobotsRules, is_product_token, product_token
from optout.policy.services.agents import (
    CLASSIFICATION,
    VENDORED_LIST,
    agent_registry,
    vendored_classification,
    vendored_robots_json,
)
from tests.policy.cases import FACTS, GOLDEN, UPDATE, default_policy


def test_the_vendored_list_keeps_its_licence_and_provenance() -> None:
    folder = VENDORED_LIST.parent
    assert "MIT License" in (folder / "LICENSE").read_text()
    source = (folder / "SOURCE.md").read_text()
    assert "738c80df2169027ce0e07c9976fd3f2f57dd8f7b" in source
    assert "2026-08-22" in source
    shared = Path("/work/shared/data/ai-robots-txt/robots.json")
    if shared.exists():
        assert (
            hashlib.sha256(VENDORED_LIST.read_bytes()).digest()
            == hashlib.sha256(shared.read_bytes()).digest()
        )


def test_every_agent_of_the_vendored_list_has_a_purpose() -> None:
    purposes = vendored_classification()["purposes"]
    assert set(purposes) == set(vendored_robots_json())
    assert {Purpose(p) for p in purposes.values()} == set(Purpose)
    assert json.loads(CLASSIFICATION.read_text())["classified_against"].startswith(
        "ai-robots-txt/ai.robots.txt 738c80d"
    )


@pytest.mark.django_db
def test_the_registry_classifies_the_agents_labels_care_about() -> None:
    registry = agent_registry()
    expected = {
        "GPTBot": Purpose.TRAINING,
        "ClaudeBot": Purpose.TRAINING,
        "CCBot": Purpose.TRAINING,
        "Bytespider": Purpose.TRAINING,
        "meta-externalagent": Purpose.TRAINING,
        "Google-Extended": Purpose.CONTROL,
        "Applebot-Extended": Purpose.CONTROL,
        "OAI-SearchBot": Purpose.AI_SEARCH,
        "PerplexityBot": Purpose.AI_SEARCH,
        "Claude-SearchBot": Purpose.AI_SEARCH,
        "ChatGPT-User": Purpose.USER_FETCH,
        "Claude-User": Purpose.USER_FETCH,
        "Perplexity-User": Purpose.USER_FETCH,
        "Applebot": Purpose.SEARCH,
        "Googlebot": Purpose.SEARCH,
        "Bingbot": Purpose.SEARCH,
    }
    for token, purpose in expected.items():
        agent = registry.get(token)
        assert agent is not None and agent.purpose is purpose, token
    assert registry.unclassified == []
    assert registry.source == "ai-robots-txt/ai.robots.txt 738c80d (2026-08-22)"


@pytest.mark.django_db
def test_the_full_list_compiles_to_golden_robots_txt_that_both_parsers_obey() -> None:
    registry = agent_registry()
    policy = default_policy()
    bundle = compile_bundle(policy, FACTS, registry)
    path = GOLDEN / "full-list" / "robots.txt"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(bundle["robots.txt"])
    assert bundle["robots.txt"] == path.read_text()
    text = bundle["robots.txt"]
    protego, urllib, rfc = Protego.parse(text), RobotFileParser(), RobotsRules(text)
    urllib.parse(text.splitlines())
    url = "https://nordicbeats.example/releases/1"
    plan = robots_plan(policy, registry)
    assert len(plan.listed) > 140
    for agent in plan.listed:
        assert not protego.can_fetch(url, agent.token), agent.token
        assert not urllib.can_fetch(agent.token, url), agent.token
        assert not rfc.allowed(user_agent=product_token(agent.token), url=url), agent.token
    # Every User-agent line is a product token, so every reader reads the same name.
    for line in text.splitlines():
        if line.startswith("User-agent: ") and line != "User-agent: *":
            assert is_product_token(line.removeprefix("User-agent: ")), line
    assert [a.token for a in plan.unnamed] == [
        "AI2Bot",
        "AI2Bot-DeepResearchEval",
        "Ai2Bot-Dolma",
        "Channel3Bot",
        "Crawl4AI",
        "img2dataset",
    ]
    assert bundle.unnamed_in_robots == tuple(a.token for a in plan.unnamed)
    for token in (
        "Googlebot",
        "Bingbot",
        "Applebot",
        "DuckDuckBot",
        "YandexBot",
        "Baiduspider",
        "facebookexternalhit",
    ):
        assert protego.can_fetch(url, token), token
        assert urllib.can_fetch(token, url), token
        assert rfc.allowed(user_agent=token, url=url), token
    assert [str(f) for f in check_bundle(bundle, registry)] == []


def _newer_list(tmp_path: Path) -> Path:
    data: dict[str, Any] = json.loads(VENDORED_LIST.read_text())
    del data["Timpibot"]
    data["CCBot"] = {**data["CCBot"], "description": "Now also sells a music dataset."}
    data["SonicHarvester"] = {
        "operator": "Unknown",
        "respect": "No",
        "function": "Scrapes audio for model training.",
        "frequency": "Unclear at this time.",
        "description": "Downloads audio files.",
    }
    path = tmp_path / "robots.json"
    path.write_text(json.dumps(data))
    return path


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_refresh_agents_prints_changes_and_refuses_new_agents_until_classified(
    tmp_path: Path,
) -> None:
    output = _run(
        "refresh_agents",
        str(_newer_list(tmp_path)),
        "--source",
        "ai-robots-txt/ai.robots.txt abc1234 (2026-10-01)",
    )
    assert "+ SonicHarvester  (needs review: refused until classified)" in output
    assert "- Timpibot" in output
    assert "~ CCBot: description" in output
    assert "1 added, 1 removed, 1 changed; 1 need review." in output

    registry = agent_registry()
    assert registry.source == "ai-robots-txt/ai.robots.txt abc1234 (2026-10-01)"
    assert [a.token for a in registry.unclassified] == ["SonicHarvester"]
    robots = compile_bundle(default_policy(), FACTS, registry)["robots.txt"]
    assert "# Not yet classified: refused until reviewed\nUser-agent: SonicHarvester\n" in robots
    assert not Protego.parse(robots).can_fetch("https://x.example/", "SonicHarvester")

    assert "SonicHarvester is now classified as search" in _run(
        "classify_agent", "SonicHarvester", "search"
    )
    robots = compile_bundle(default_policy(), FACTS, agent_registry())["robots.txt"]
    assert "SonicHarvester" not in robots
    assert agent_registry().unclassified == []


@pytest.mark.django_db
def test_a_dry_run_changes_nothing(tmp_path: Path) -> None:
    output = _run("refresh_agents", str(_newer_list(tmp_path)), "--dry-run")
    assert "Dry run: nothing was changed." in output
    assert agent_registry().get("SonicHarvester") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[1, 2]", "must be a JSON object keyed by user-agent token"),
        (b'{"GPTBot": "yes"}', "The entry of 'GPTBot' must be an object"),
        (b'{"GPTBot": {"operator": 5}}', "The field 'operator' of 'GPTBot' must be text"),
        (b'{"GPTBot": ', "not valid JSON (line 1, column 12)"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_refresh_agents_rejects_a_bad_file_with_a_clear_reason(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "robots.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _run("refresh_agents", str(path))
    assert agent_registry().source.endswith("738c80d (2026-08-22)")


@pytest.mark.django_db
def test_classify_agent_refuses_an_unknown_agent_or_purpose() -> None:
    with pytest.raises(CommandError, match="No agent NoSuchBot"):
        _run("classify_agent", "NoSuchBot", "training")
