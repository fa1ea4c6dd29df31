"""Hashing a stored master in the worker's code path, against ``openssl dgst -sha256``.

The file (OPTOUT_BENCH_MASTER_BYTES, default 2 GiB of random bytes) sits in a blob store in
a temporary directory, in the page cache (warm, as just after an upload). Each pair runs
``openssl dgst -sha256`` (whole process) and then ``bench/_masters_rehash.py`` (Django set up,
then the job's ``master_rehash``, timed in-process) in turn; the ratio is openssl's time over
ours per pair (a throughput ratio: higher is better), median over OPTOUT_BENCH_HASH_PAIRS pairs
(default 5) after one warm-up pair. Memory: the hashing process's peak RSS, and how much it
grew while hashing (the mark is reset just before).

Targets (issue 3): ratio >= 0.8; <= 64 MiB RSS whatever the size.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZE = int(os.environ.get("OPTOUT_BENCH_MASTER_BYTES", str(2 * 1024**3)))
PAIRS = int(os.environ.get("OPTOUT_BENCH_HASH_PAIRS", "5"))
MIB = 1024 * 1024


def _random_file(path: Path, size: int) -> None:
    with path.open("wb") as out:
        left = size
        while left:
            step = min(left, 8 * MIB)
            out.write(os.urandom(step))
            left -= step


def _openssl(path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        ["openssl", "dgst", "-sha256", "-r", str(path)], capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, done.stdout.split()[0]


def _store(source: Path, media: Path) -> str:
    """Move ``source`` into the blob store under ``media``; its SHA-256."""
    _seconds, sha256 = _openssl(source)
    stored = media / "blobs" / "sha256" / sha256[:2] / sha256[2:4] / sha256
    stored.parent.mkdir(parents=True, exist_ok=True)
    source.rename(stored)
    return sha256


def _ours(sha256: str, media: Path, size: int = SIZE) -> dict[str, Any]:
    env = {
        **os.environ,
        "OPTOUT_MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "_masters_rehash.py"), sha256, str(size)],
        capture_output=True, text=True, check=True, env=env, cwd=ROOT,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-masters-hash-") as tmp:
        folder = Path(tmp)
        media = folder / "media"
        source = folder / "master.bin"
        _random_file(source, SIZE)
        sha256 = _store(source, media)
        stored = media / "blobs" / "sha256" / sha256[:2] / sha256[2:4] / sha256
        # The same code on a file 32 times smaller: constant memory means the same growth.
        small = folder / "small.bin"
        _random_file(small, SIZE // 32)
        small_result = _ours(_store(small, media), media, SIZE // 32)

        ratios, theirs, ours, peaks, growths, befores = [], [], [], [], [], []
        for index in range(PAIRS + 1):
            openssl_seconds, digest = _openssl(stored)
            result = _ours(sha256, media)
            assert digest == result["sha256"] == sha256, (digest, result)
            if index == 0:
                continue  # warm-up
            theirs.append(openssl_seconds)
            ours.append(result["seconds"])
            ratios.append(openssl_seconds / result["seconds"])
            peaks.append(result["peak_rss"])
            growths.append(result["peak_rss"] - result["rss_before"])
            befores.append(result["rss_before"])

    ratio = statistics.median(ratios)
    peak_mib = max(peaks) / MIB
    growth_mib = max(growths) / MIB
    return {
        "size_bytes": SIZE,
        "pairs": PAIRS,
        "openssl_median_s": round(statistics.median(theirs), 3),
        "ours_median_s": round(statistics.median(ours), 3),
        "openssl_mb_per_s": round(SIZE / statistics.median(theirs) / 1e6),
        "ours_mb_per_s": round(SIZE / statistics.median(ours) / 1e6),
        "ratio_vs_openssl_median": round(ratio, 3),
        "ratio_vs_openssl_min": round(min(ratios), 3),
        "ratio_vs_openssl_max": round(max(ratios), 3),
        "peak_rss_mib": round(peak_mib, 1),
        "rss_before_hashing_mib": round(max(r for r in befores) / MIB, 1),
        "rss_growth_while_hashing_mib": round(growth_mib, 1),
        "rss_growth_while_hashing_32x_smaller_file_mib": round(
            (small_result["peak_rss"] - small_result["rss_before"]) / MIB, 1
        ),
        "target_ratio": 0.8,
        "meets_ratio": ratio >= 0.8,
        "target_rss_mib": 64,
        "meets_rss_growth": growth_mib <= 64,
        "meets_rss_absolute": peak_mib <= 64,
        "note": (
            "Warm page cache. Our time is in-process (Django start-up excluded); openssl's is "
            "whole-process. The absolute peak includes Django and the project's imports "
            "(rss_before_hashing_mib, the idle worker); what hashing adds is the growth."
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
