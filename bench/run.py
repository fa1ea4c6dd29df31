"""Runs every benchmark module in bench/ and writes its figures to bench/results/<name>.json.

A benchmark module defines ``run() -> dict`` returning JSON-serialisable figures, ratios
against a baseline measured in the same run rather than absolute times (this machine's disk
and CPU speeds swing between runs). ``python bench/run.py NAME...`` runs only those modules.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def benchmark_names() -> list[str]:
    """Every benchmark module of bench/. Beside them lie their helpers (``_name``) and the
    settings, URLs and data they use; a benchmark is a module that defines ``run()``."""
    return sorted(
        p.stem
        for p in HERE.glob("*.py")
        if p.stem not in {"run", "__init__"}
        and not p.stem.startswith("_")
        and "\ndef run(" in p.read_text()
    )


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    names = argv or benchmark_names()
    RESULTS.mkdir(exist_ok=True)
    failures = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        started = time.monotonic()
        try:
            figures = module.run()
        except Exception as exc:  # a failed benchmark must not hide the others
            failures += 1
            figures = {"error": f"{type(exc).__name__}: {exc}"}
        record = {
            "benchmark": name,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.monotonic() - started, 1),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
            "figures": figures,
        }
        (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=2) + "\n")
        print(json.dumps(figures, indent=2), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
