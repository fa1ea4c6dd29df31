"""A private PostgreSQL database for the benchmarks that need one.

``bench_database()`` creates ``<DATABASE_URL's name>_bench``, migrates it, points Django
at it and drops it afterwards, so a benchmark never touches a development or test
database. It yields the environment for subprocesses (servers) that must use it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def bench_database() -> Iterator[dict[str, str]]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    # The throttle still runs on every request; its limit must not cut the load short.
    os.environ.setdefault("OPTOUT_API_USER_RATE", "100000000/min")
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("This benchmark needs PostgreSQL (DATABASE_URL=postgres://…).")
    base = settings.DATABASES["default"]["NAME"]
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"{base}_bench"
    created = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    env = dict(os.environ)
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[0] + "/" + created
    env["PYTHONPATH"] = str(ROOT)
    try:
        yield env
    finally:
        connection.close()
        connection.creation.destroy_test_db(created, verbosity=0, keepdb=False)
