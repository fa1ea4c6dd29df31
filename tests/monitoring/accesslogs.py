"""Access logs written at test time, in nginx/Apache "combined" format."""

# ruff: noqa: E501  (real user-agent strings are long)

from __future__ import annotations

import gzip
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
GPTBOT = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"
CLAUDEBOT = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)"
CCBOT = "CCBot/2.0 (https://commoncrawl.org/faq/)"
BYTESPIDER = "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)"

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def stamp(day: date, clock: str = "10:00:00", zone: str = "+0000") -> str:
    return f"{day.day:02d}/{MONTHS[day.month - 1]}/{day.year}:{clock} {zone}"


def line(
    ip: str, day: date, path: str, agent: str, *, clock: str = "10:00:00", status: int = 200
) -> str:
    return (
        f'{ip} - - [{stamp(day, clock)}] "GET {path} HTTP/1.1" {status} 512 '
        f'"https://example.org/" "{agent}"\n'
    )


def days() -> tuple[date, date]:
    today = timezone.localdate()
    return today, today + timedelta(days=1)


def mixed_log() -> str:
    """Day 0 is judged by policy version 1 (every AI agent refused the whole site), day 1
    by version 2 (refused /music/ only). The expected counts are in the tests."""
    d0, d1 = days()
    gpt, other = "192.0.2.10", "203.0.113.5"
    rows = [
        line("198.51.100.1", d0, "/music/a", CHROME, clock="09:00:00"),
        line("198.51.100.2", d0, "/", FIREFOX, clock="09:00:01"),
        line("66.249.66.1", d0, "/music/a", GOOGLEBOT, clock="09:01:00"),
        line("157.55.39.1", d0, "/about", BINGBOT, clock="09:02:00"),
        line(gpt, d0, "/robots.txt", GPTBOT, clock="09:03:00"),
        line(gpt, d0, "/music/a", GPTBOT, clock="09:04:00"),
        line("198.51.100.9", d0, "/about", CLAUDEBOT, clock="09:05:00"),
        line("198.51.100.10", d0, "/ai.txt", CCBOT, clock="09:06:00"),
        line("198.51.100.11", d0, "/music/b?x=1", BYTESPIDER, clock="09:07:00"),
        "this is not a log line\n",
        f'{gpt} - - [99/Foo/2026:10:00:00 +0000] "GET /x HTTP/1.1" 200 1 "-" "{GPTBOT}"\n',
        "\n",
        line("198.51.100.1", d1, "/music/b", CHROME, clock="08:00:00"),
        line(gpt, d1, "/about", GPTBOT, clock="08:01:00"),
        line(gpt, d1, "/music/c", GPTBOT, clock="08:02:00"),
        line(other, d1, "/music/d", GPTBOT, clock="08:03:00"),
        line("198.51.100.9", d1, "/.well-known/tdmrep.json", CLAUDEBOT, clock="08:04:00"),
        line("66.249.66.1", d1, "/about", GOOGLEBOT, clock="08:05:00"),
        line("66.249.66.1", d1, "/music/x", GOOGLEBOT, clock="08:06:00"),
        line("198.51.100.11", d1, "/about", BYTESPIDER, clock="08:07:00"),
    ]
    return "".join(rows)


def write_log(folder: Path, name: str, text: str, *, gzipped: bool = False) -> Path:
    path = folder / name
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gzipped else data)
    return path
