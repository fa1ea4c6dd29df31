"""The streamed log reader on its own: line splitting across chunks, over-long lines, CRLF,
a last line without a newline, escaped quotes, and the user-agent matcher."""

from __future__ import annotations

import io
from datetime import date

import pytest

from monitoring import accesslog
from monitoring.accesslog import AgentMatcher, AgentSpec, ProtegoRules, scan
from tests.monitoring.accesslogs import GPTBOT, line

SPECS = [
    AgentSpec("GPTBot", "training", "GPTBot"),
    AgentSpec("Googlebot", "search", "Googlebot", "Google-Extended"),
    AgentSpec("Code", "user_fetch", "Code"),
    AgentSpec("Claude-Code", "user_fetch", "Claude-Code"),
]
ROBOTS = (
    "User-agent: GPTBot\nUser-agent: Google-Extended\nDisallow: /private/\n\n"
    "User-agent: *\nAllow: /\n"
)


def run(data: bytes) -> accesslog.ScanResult:
    rules = ProtegoRules(ROBOTS)
    return scan(io.BytesIO(data), agents=SPECS, robots_for_day=lambda day: ("1", rules))


def test_lines_split_across_chunks_and_over_long_lines_are_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(accesslog, "CHUNK_BYTES", 64)
    monkeypatch.setattr(accesslog, "MAX_LINE_BYTES", 300)
    day = date(2026, 11, 3)
    good = line("192.0.2.1", day, "/private/a", GPTBOT).encode()
    long_line = b"x" * 1000 + b"\n"
    crlf = line("192.0.2.1", day, "/open", GPTBOT).encode().replace(b"\n", b"\r\n")
    last = line("192.0.2.1", day, "/private/b", GPTBOT).encode().rstrip(b"\n")
    result = run(good + long_line + crlf + good + last)
    assert result.lines == 5
    assert result.malformed == 1
    assert result.malformed_samples[0][:2] == [2, "line too long"]
    gpt = result.agents["GPTBot"]
    assert (gpt.requests, gpt.violations, gpt.allowed) == (4, 3, 1)


def test_a_log_of_one_endless_line_is_one_malformed_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accesslog, "CHUNK_BYTES", 100)
    monkeypatch.setattr(accesslog, "MAX_LINE_BYTES", 300)
    result = run(b"y" * 10_000)
    assert (result.lines, result.malformed) == (1, 1)


def test_escaped_quotes_and_control_tokens() -> None:
    day = date(2026, 11, 3)
    escaped = (
        b'192.0.2.1 - - [03/Nov/2026:10:00:00 +0100] "GET /a\\"b HTTP/1.1" 200 1 "-" '
        b'"Mozilla/5.0 (compatible; Googlebot/2.1; \\"x\\")"\n'
    )
    google = line("66.249.66.1", day, "/private/x", "Googlebot/2.1").encode()
    result = run(escaped + google)
    assert result.malformed == 0
    bot = result.agents["Googlebot"]
    assert (bot.requests, bot.allowed, bot.violations, bot.control_reserved) == (2, 2, 0, 1)
    assert bot.first is not None and bot.last is not None
    assert bot.first == bot.last - 3600  # 10:00 +0100 is 09:00 UTC


def test_the_longest_token_at_a_word_boundary_names_the_agent() -> None:
    matcher = AgentMatcher(SPECS)
    assert matcher.find(b"Claude-Code/1.0 (+https://x)").token == "Claude-Code"  # type: ignore[union-attr]
    assert matcher.find(b"VSCode/1.2") is None
    assert matcher.find(b"Mozilla/5.0 (compatible; gptbot/1.1)").token == "GPTBot"  # type: ignore[union-attr]
    assert matcher.find(b"Mozilla/5.0 Firefox/133.0") is None
