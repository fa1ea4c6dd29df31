"""Run the benchmarks and write bench/results/<name>.json.

Usage: ``python bench/run.py [name ...]`` (``make bench`` runs them all). Each module
``bench/<name>.py`` has ``run(context) -> dict``. The benchmarks work in a database of
their own, ``<DATABASE_URL's name>_bench``, created and migrated here and dropped at the
end, so they never touch a development or test database.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Context:
    database: str
    """The benchmark database's name."""
    env: dict[str, str]
    """Environment for subprocesses (servers) that must use the same database."""


def _modules(names: list[str]) -> list[str]:
    found = sorted(
        p.stem for p in Path(__file__).parent.glob("*.py") if p.stem not in {"run", "__init__"}
    )
    return [n for n in found if not names or n in names]


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.setdefault("OPTOUT_API_USER_RATE", "100000000/min")
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("The benchmarks need PostgreSQL (DATABASE_URL=postgres://…).")
        return 2
    base = settings.DATABASES["default"]["NAME"]
    name = f"{base}_bench"
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = name
    created = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    env = dict(os.environ)
    url = os.environ.get("DATABASE_URL", "")
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + created
    env["PYTHONPATH"] = str(ROOT)
    context = Context(database=created, env=env)
    RESULTS.mkdir(exist_ok=True)
    failures = 0
    try:
        for module_name in _modules(argv):
            module = importlib.import_module(f"bench.{module_name}")
            print(f"== {module_name}")
            started = time.perf_counter()
            try:
                result: dict[str, Any] = module.run(context)
            except Exception as exc:  # a failed benchmark is reported, the others still run
                failures += 1
                result = {"error": f"{type(exc).__name__}: {exc}"}
            result["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count()}
            result["seconds"] = round(time.perf_counter() - started, 1)
            path = RESULTS / f"{module_name}.json"
            path.write_text(json.dumps(result, indent=2, default=str) + "\n")
            print(json.dumps(result, indent=2, default=str))
    finally:
        connection.creation.destroy_test_db(created, verbosity=0, keepdb=False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
