"""Synthetic catalog data shared by the catalog benchmarks (not a benchmark itself)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from stdnum import ean

from catalog.identifiers import iswc_check_digit

WORDS = [
    "river",
    "night",
    "gold",
    "echo",
    "paper",
    "heart",
    "light",
    "stone",
    "wild",
    "blue",
    "silver",
    "rain",
    "summer",
    "ghost",
    "north",
    "fire",
    "glass",
    "ocean",
    "velvet",
    "shadow",
    "morning",
    "winter",
    "city",
    "dream",
]


def write_catalog_csv(path: Path, rows: int, *, seed: int = 42, bad: float = 0.005) -> None:
    """isrc, title, artist, upc, release_title, iswc (as performance.md Appendix B §2):
    20% hyphenated ISRCs, 30% without ISWC, ten tracks per UPC, ``bad`` invalid rows."""
    rnd = random.Random(seed)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["isrc", "title", "artist", "upc", "release_title", "iswc"])
        for i in range(rows):
            isrc = f"SEA{(i // 100000):02d}26{i % 100000:05d}"
            if rnd.random() < 0.2:
                isrc = f"{isrc[:2]}-{isrc[2:5]}-{isrc[5:7]}-{isrc[7:]}"
            body = f"{700000000000 + i // 10:012d}"
            upc = body + ean.calc_check_digit(body)
            digits = f"{rnd.randrange(10**9):09d}"
            iswc = (
                ""
                if rnd.random() < 0.3
                else f"T-{digits[:3]}.{digits[3:6]}.{digits[6:]}-{iswc_check_digit(digits)}"
            )
            title = " ".join(rnd.choice(WORDS) for _ in range(3)).title()
            artist = f"{rnd.choice(WORDS).title()} {rnd.choice(['Band', 'Trio', 'Collective'])}"
            roll = rnd.random()
            if roll < bad / 3:
                upc = upc[:-1] + str((int(upc[-1]) + 1) % 10)
            elif roll < 2 * bad / 3:
                isrc = "XX" + isrc[2:]
            elif roll < bad and iswc:
                iswc = iswc[:-1] + str((int(iswc[-1]) + 1) % 10)
            writer.writerow([isrc, title, artist, upc, f"Release {i // 10}", iswc])
