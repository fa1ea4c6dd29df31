"""The robots.txt reader of the signal audit gives Google's verdict on every case of its suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from optout.policy.compilers.robots_match import (
    RobotsRules,
    is_product_token,
    product_token,
    url_path,
)

CASES_FILE = Path(__file__).parent / "data" / "google-robotstxt" / "cases.tsv"


def _cases() -> list[object]:
    cases: list[object] = []
    seen: dict[str, int] = {}
    for line in CASES_FILE.read_text(encoding="ascii").splitlines():
        name, body, agent, url, expected = line.split("\t")
        seen[name] = seen.get(name, 0) + 1
        cases.append(
            pytest.param(
                bytes.fromhex(body),
                bytes.fromhex(agent).decode("utf-8"),
                bytes.fromhex(url).decode("utf-8"),
                expected == "1",
                id=f"{name}-{seen[name]}",
            )
        )
    return cases


CASES = _cases()


def test_the_vendored_suite_is_whole() -> None:
    names = [c.id for c in CASES]  # type: ignore[attr-defined]
    assert len(CASES) == 145
    assert sum(n.startswith("ID_") for n in names) == 72


@pytest.mark.parametrize(("body", "agent", "url", "allowed"), CASES)
def test_the_reader_agrees_with_googles_parser(
    body: bytes, agent: str, url: str, allowed: bool
) -> None:
    assert RobotsRules(body).allowed(user_agent=agent, url=url) is allowed


def test_a_bom_and_crlf_file_reads_like_a_plain_one() -> None:
    plain = "User-agent: *\nAllow: /\n\nUser-agent: GPTBot\nDisallow: /\n"
    saved = b"\xef\xbb\xbf" + plain.replace("\n", "\r\n").encode()
    for body in (plain, saved, plain.replace("\n", "\r").encode()):
        rules = RobotsRules(body)
        assert not rules.allowed(user_agent="GPTBot", url="https://x.example/a")
        assert rules.allowed(user_agent="Googlebot", url="https://x.example/a")


def test_groups_naming_the_same_agent_are_combined() -> None:
    rules = RobotsRules(
        "User-agent: *\nDisallow: /admin/\n\n"
        "User-agent: GPTBot\nDisallow: /music/\n\n"
        "User-agent: *\nContent-Usage: train-ai=n\nAllow: /\n\n"
        "User-agent: gptbot\nAllow: /music/free/\n"
    )
    assert not rules.allowed(user_agent="GPTBot", url="https://x.example/music/a")
    assert rules.allowed(user_agent="GPTBot", url="https://x.example/music/free/a")
    # A group naming the crawler replaces every * group, rules and all.
    assert rules.allowed(user_agent="GPTBot", url="https://x.example/admin/")
    assert not rules.allowed(user_agent="Googlebot", url="https://x.example/admin/x")
    assert rules.allowed(user_agent="Googlebot", url="https://x.example/music/a")


def test_a_hostile_pattern_is_matched_in_linear_steps() -> None:
    rules = RobotsRules("User-agent: *\nDisallow: /" + "*a" * 400 + "*b$\n")
    assert rules.allowed(user_agent="x", url="https://x.example/" + "a" * 3000)


@pytest.mark.parametrize(
    ("value", "token"),
    [
        ("GPTBot", "GPTBot"),
        ("iaskspider/2.0", "iaskspider"),
        ("AI2Bot", "AI"),
        ("ChatGPT Agent", "ChatGPT"),
        ("bigsur.ai", "bigsur"),
        ("2bot", ""),
    ],
)
def test_product_tokens(value: str, token: str) -> None:
    assert product_token(value) == token
    assert is_product_token(value) is (value == token)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://x.example", b"/"),
        ("https://x.example/a/b?c=d#e", b"/a/b?c=d"),
        ("https://x.example?q", b"/?q"),
        ("/relative;p", b"/relative;p"),
        ("https://x.example#/frag", b"/"),
    ],
)
def test_the_url_path_compared(url: str, path: bytes) -> None:
    assert url_path(url) == path
