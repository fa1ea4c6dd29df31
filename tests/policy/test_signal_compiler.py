"""The signal compiler: golden files, and the outputs read back by the parsers crawlers use."""

from __future__ import annotations

import json
from urllib.robotparser import RobotFileParser

import http_sf
import pytest
from lxml import etree
from protego import Protego

from optout.policy.compilers import PolicySpec, Purpose, Stance, Use, compile_bundle
from optout.policy.compilers.bundle import BUNDLE_FILES
from optout.policy.compilers.formats import SERIALISATIONS
from optout.policy.compilers.robots import compile_robots, robots_plan
from optout.policy.compilers.rsl import RSL_NS
from tests.policy.cases import CASES, FACTS, GOLDEN, UPDATE, default_policy, sample_registry

REGISTRY = sample_registry()


def _golden(case: str, name: str, text: str) -> None:
    path = GOLDEN / case / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"No golden file {path}: run with OPTOUT_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{case}/{name} differs from its golden file"


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("name", sorted(BUNDLE_FILES))
def test_it_matches_the_golden_file(case: str, name: str) -> None:
    bundle = compile_bundle(CASES[case](), FACTS, REGISTRY)
    _golden(case, name, bundle[name])


def _blocked_tokens(policy: PolicySpec) -> list[str]:
    return [a.token for a in robots_plan(policy, REGISTRY).listed]


@pytest.mark.parametrize("case", sorted(CASES))
def test_it_refuses_every_blocked_agent_in_both_parsers(case: str) -> None:
    policy = CASES[case]()
    text = compile_robots(policy, FACTS, REGISTRY)
    protego = Protego.parse(text)
    urllib = RobotFileParser()
    urllib.parse(text.splitlines())
    for path in policy.paths:
        url = f"https://nordicbeats.example{path}song.mp3"
        for token in _blocked_tokens(policy):
            assert not protego.can_fetch(url, token), (token, path)
            assert not urllib.can_fetch(token, url), (token, path)


def test_the_default_policy_blocks_ai_crawlers_and_keeps_search_engines() -> None:
    text = compile_robots(default_policy(), FACTS, REGISTRY)
    protego = Protego.parse(text)
    urllib = RobotFileParser()
    urllib.parse(text.splitlines())
    url = "https://nordicbeats.example/releases/1"
    for token in (
        "GPTBot",
        "ClaudeBot",
        "CCBot",
        "Google-Extended",
        "Applebot-Extended",
        "OAI-SearchBot",
        "ChatGPT-User",
        "ChatGPT Agent",
        "NewScraperBot",
    ):
        assert not protego.can_fetch(url, token), token
        assert not urllib.can_fetch(token, url), token
    # A full User-Agent header works in Protego (urllib needs the bare token).
    assert not protego.can_fetch(url, "Mozilla/5.0 (compatible; GPTBot/1.1; +https://openai.com)")
    for token in ("Googlebot", "Bingbot", "Applebot", "Baiduspider"):
        assert protego.can_fetch(url, token), token
        assert urllib.can_fetch(token, url), token


def test_it_withholds_a_token_that_would_refuse_a_search_engine_in_substring_parsers() -> None:
    policy = default_policy()
    plan = robots_plan(policy, REGISTRY)
    assert [a.token for a in plan.withheld] == ["Spider"]
    assert "User-agent: Spider\n" not in compile_robots(policy, FACTS, REGISTRY)


def test_search_engines_are_blocked_only_when_the_policy_asks() -> None:
    policy = CASES["licensable-partial"]()
    assert Purpose.SEARCH in policy.blocked_purposes
    text = compile_robots(policy, FACTS, REGISTRY)
    protego = Protego.parse(text)
    assert not protego.can_fetch("https://nordicbeats.example/catalog/a", "Googlebot")
    assert protego.can_fetch("https://nordicbeats.example/about", "Googlebot")


def test_unclassified_agents_are_refused_even_when_training_crawlers_are_allowed() -> None:
    text = compile_robots(CASES["all-allowed"](), FACTS, REGISTRY)
    assert not Protego.parse(text).can_fetch("https://nordicbeats.example/", "NewScraperBot")
    assert Protego.parse(text).can_fetch("https://nordicbeats.example/", "GPTBot")


def _star_group_lines(text: str) -> list[str]:
    return text.split("User-agent: *\n", 1)[1].splitlines()


@pytest.mark.parametrize("case", sorted(CASES))
def test_content_usage_parses_as_a_structured_field_dictionary(case: str) -> None:
    policy = CASES[case]()
    bundle = compile_bundle(policy, FACTS, REGISTRY)
    header = dict(bundle.headers)["Content-Usage"]
    parsed = http_sf.parse(header.encode(), tltype="dictionary")
    training = "n" if policy.stance(Use.AI_TRAIN, Use.GENAI_TRAIN).restricts else "y"
    search = "n" if policy.stances[Use.SEARCH].restricts else "y"
    assert parsed == {
        "train-ai": (http_sf.Token(training), {}),
        "search": (http_sf.Token(search), {}),
    }
    for line in _star_group_lines(bundle["robots.txt"]):
        if line.startswith("Content-Usage:"):
            value = line.split(":", 1)[1].strip()
            if value.startswith("/"):
                value = value.split(" ", 1)[1]
            assert http_sf.parse(value.encode(), tltype="dictionary") == parsed


def test_license_and_preferences_are_placed_where_parsers_read_them() -> None:
    text = compile_robots(default_policy(), FACTS, REGISTRY)
    lines = text.splitlines()
    first_group = next(i for i, line in enumerate(lines) if line.startswith("User-agent:"))
    license_index = lines.index(f"License: {FACTS.license_url}")
    assert license_index < first_group
    star = _star_group_lines(text)
    assert star[0].startswith("Content-Signal: ")
    assert star[1].startswith("Content-Usage: ")
    assert star[-1] == "Allow: /"


@pytest.mark.parametrize("case", sorted(CASES))
def test_tdmrep_is_an_array_of_rules_with_the_mandatory_fields(case: str) -> None:
    policy = CASES[case]()
    rules = json.loads(compile_bundle(policy, FACTS, REGISTRY)[".well-known/tdmrep.json"])
    assert isinstance(rules, list)
    assert [r["location"] for r in rules] == list(policy.paths)
    reserved = 1 if policy.stances[Use.TDM] is not Stance.ALLOWED else 0
    for rule in rules:
        assert type(rule["tdm-reservation"]) is int
        assert rule["tdm-reservation"] == reserved
        assert ("tdm-policy" in rule) == bool(reserved)


def test_the_tdm_policy_is_an_odrl_offer_with_the_tdmrep_profile() -> None:
    doc = json.loads(compile_bundle(default_policy(), FACTS, REGISTRY)["tdm-policy.json"])
    assert doc["@context"] == [
        "http://www.w3.org/ns/odrl.jsonld",
        "http://www.w3.org/ns/tdmrep.jsonld",
    ]
    assert doc["@type"] == "Offer"
    assert doc["profile"] == "http://www.w3.org/ns/tdmrep"
    assert doc["assigner"]["vcard:hasEmail"] == "mailto:rights@nordicbeats.example"
    assert doc["permission"] == [{"action": "tdm:mine", "duty": [{"action": "obtainConsent"}]}]


@pytest.mark.parametrize("case", sorted(CASES))
def test_license_xml_is_rsl_with_a_licence_per_content(case: str) -> None:
    policy = CASES[case]()
    root = etree.fromstring(compile_bundle(policy, FACTS, REGISTRY)["license.xml"].encode())
    ns = {"r": RSL_NS}
    assert root.tag == f"{{{RSL_NS}}}rsl"
    contents = root.findall("r:content", ns)
    assert [c.get("url") for c in contents] == [
        f"https://{d}{p}" for d in FACTS.domains for p in policy.paths
    ]
    vocabulary = {"all", "ai-all", "ai-train", "ai-input", "ai-index", "search"}
    for content in contents:
        licences = content.findall("r:license", ns)
        assert licences
        for licence in licences:
            for element in licence.findall("r:permits", ns) + licence.findall("r:prohibits", ns):
                assert element.get("type") == "usage"
                assert set((element.text or "").split()) <= vocabulary
        assert content.findtext("r:copyright", namespaces=ns) == "Nordic Beats AB"
        assert content.findtext("r:terms", namespaces=ns) == FACTS.effective_terms_url


def test_a_licensable_use_is_offered_with_payment_and_never_prohibited() -> None:
    xml = compile_bundle(CASES["licensable-partial"](), FACTS, REGISTRY)["license.xml"]
    content = etree.fromstring(xml.encode()).find(f"{{{RSL_NS}}}content")
    assert content is not None
    prohibited = " ".join(e.text or "" for e in content.iter(f"{{{RSL_NS}}}prohibits"))
    assert "ai-train" not in prohibited.split()
    offers = [
        lic
        for lic in content.iter(f"{{{RSL_NS}}}license")
        if lic.find(f"{{{RSL_NS}}}payment") is not None
    ]
    assert [o.findtext(f"{{{RSL_NS}}}permits") for o in offers] == ["ai-train"]
    assert offers[0].findtext(f"{{{RSL_NS}}}payment/{{{RSL_NS}}}custom") == (
        "https://nordicbeats.example/ai-licensing"
    )


def test_ai_txt_refuses_audio_for_training_and_allows_it_when_training_is_allowed() -> None:
    reserved = Protego.parse(compile_bundle(default_policy(), FACTS, REGISTRY)["ai.txt"])
    assert not reserved.can_fetch("https://nordicbeats.example/a/song.mp3", "img2dataset")
    assert not reserved.can_fetch("https://nordicbeats.example/", "img2dataset")
    allowed = Protego.parse(compile_bundle(CASES["all-allowed"](), FACTS, REGISTRY)["ai.txt"])
    assert allowed.can_fetch("https://nordicbeats.example/a/song.mp3", "img2dataset")


def test_markup_in_label_facts_is_escaped_in_html() -> None:
    from dataclasses import replace

    facts = replace(FACTS, public_base_url='https://optout.example/s/x"><script>')
    head = compile_bundle(default_policy(), facts, REGISTRY)["head.html"]
    assert "<script>" not in head
    assert "&quot;&gt;&lt;script&gt;" in head


def test_every_output_names_its_serialisation_version() -> None:
    bundle = compile_bundle(default_policy(), FACTS, REGISTRY)
    assert bundle.versions["content-usage"] == "aipref-vocab-05"
    assert set(bundle.versions) == set(SERIALISATIONS)


def test_an_unknown_serialisation_version_is_refused() -> None:
    with pytest.raises(ValueError, match="aipref-vocab-03"):
        from optout.policy.compilers.preferences import content_usage_value

        content_usage_value(default_policy(), version="aipref-vocab-03")
