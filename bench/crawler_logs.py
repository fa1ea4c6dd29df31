# ruff: noqa: E501  (real user-agent strings are long)
"""Access-log analysis (monitoring.accesslog.scan, as the crawler-log job runs it) against a
bare single-pass loop that only matches the combined-log regular expression, on the same
file, each in its own process.

Files of OPTOUT_BENCH_LOG_SIZES bytes (default 1 GiB and 4 GiB) are written to a temporary
folder: realistic traffic (about 75 % browsers, 10 % search crawlers, 15 % AI crawlers, paths
from a pool of 20,000, one month of days, a policy change mid-month). For each size: the
bare loop, then the analysis, OPTOUT_BENCH_LOG_PAIRS times (default 1), the page cache warm
(one untimed read first).

Targets (issue 13): throughput >= 0.5 x the bare loop; peak RSS of the analysing process
constant in the file size (the 4 GiB run within 10 % or 16 MiB of the 1 GiB run).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZES = [
    int(s) for s in os.environ.get("OPTOUT_BENCH_LOG_SIZES", f"{1024**3},{4 * 1024**3}").split(",")
]
PAIRS = int(os.environ.get("OPTOUT_BENCH_LOG_PAIRS", "1"))
MIB = 1024 * 1024

BROWSERS = [
    f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"
    for v in range(100, 140)
] + [
    f"Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
    for v in range(100, 134)
]
SEARCH = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
]
AI = [
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
    "CCBot/2.0 (https://commoncrawl.org/faq/)",
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
    "Mozilla/5.0 (compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
    "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
]


def _block(seed: int, target: int) -> bytes:
    """About ``target`` bytes of log lines (a block repeated to make the file)."""
    rng = random.Random(seed)
    paths = [f"/{rng.choice(['music', 'news', 'artists', 'shop'])}/{n}" for n in range(20_000)]
    paths += ["/robots.txt", "/ai.txt", "/"]
    out: list[str] = []
    size = 0
    while size < target:
        roll = rng.random()
        agent = rng.choice(BROWSERS if roll < 0.75 else SEARCH if roll < 0.85 else AI)
        day = rng.randint(1, 28)
        ip = (
            f"192.0.2.{rng.randint(1, 254)}"
            if rng.random() < 0.5
            else f"198.51.100.{rng.randint(1, 254)}"
        )
        line = (
            f"{ip} - - [{day:02d}/Nov/2026:{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
            f'{rng.randint(0, 59):02d} +0100] "GET {rng.choice(paths)} HTTP/1.1" 200 '
            f'{rng.randint(200, 90000)} "https://label.example/" "{agent}"\n'
        )
        out.append(line)
        size += len(line)
    return "".join(out).encode()


def _write(path: Path, size: int) -> None:
    block = _block(13, 32 * MIB)
    with path.open("wb") as handle:
        left = size
        while left > 0:
            piece = block[: min(left, len(block))]
            cut = piece.rfind(b"\n") + 1 or len(piece)
            handle.write(piece[:cut])
            left -= cut


def _child(mode: str, path: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "_crawler_logs_child.py"), mode, str(path)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _warm(path: Path) -> None:
    with path.open("rb") as handle:
        while handle.read(16 * MIB):
            pass


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {"sizes": {}}
    with tempfile.TemporaryDirectory(prefix="bench-logs-") as folder:
        for size in SIZES:
            path = Path(folder) / f"access-{size}.log"
            _write(path, size)
            _warm(path)
            ratios, bare_s, scan_s, peaks, bare_peaks = [], [], [], [], []
            for _pair in range(PAIRS):
                bare = _child("bare", path)
                ours = _child("scan", path)
                assert bare["lines"] == ours["lines"], (bare, ours)
                ratios.append(bare["seconds"] / ours["seconds"])
                bare_s.append(bare["seconds"])
                scan_s.append(ours["seconds"])
                peaks.append(ours["peak_rss_kib"])
                bare_peaks.append(bare["peak_rss_kib"])
            mb = path.stat().st_size / MIB
            figures["sizes"][str(size)] = {
                "file_mib": round(mb, 1),
                "lines": ours["lines"],
                "bare_seconds": round(statistics.median(bare_s), 2),
                "scan_seconds": round(statistics.median(scan_s), 2),
                "bare_mib_per_s": round(mb / statistics.median(bare_s), 1),
                "scan_mib_per_s": round(mb / statistics.median(scan_s), 1),
                "throughput_ratio": round(statistics.median(ratios), 3),
                "scan_peak_rss_mib": round(max(peaks) / 1024, 1),
                "bare_peak_rss_mib": round(max(bare_peaks) / 1024, 1),
            }
            path.unlink()
    runs = list(figures["sizes"].values())
    figures["throughput_ratio_min"] = min(r["throughput_ratio"] for r in runs)
    figures["throughput_target"] = 0.5
    figures["throughput_ok"] = figures["throughput_ratio_min"] >= 0.5
    peaks_mib = [r["scan_peak_rss_mib"] for r in runs]
    growth = max(peaks_mib) - min(peaks_mib)
    figures["peak_rss_growth_mib"] = round(growth, 1)
    figures["memory_constant"] = growth <= max(16.0, 0.1 * min(peaks_mib))
    return figures
