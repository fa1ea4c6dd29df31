"""Settings for the test suite: production settings with test-only values.

The environment defaults below are the ones `make test` uses; CI and developers may point
them elsewhere (another database name, another Redis database number).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/optout")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/1")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
os.environ.setdefault("DJANGO_HSTS_SECONDS", "0")
os.environ.setdefault("OPTOUT_EMAIL", "console")
os.environ.setdefault("OPTOUT_STATIC_MANIFEST", "false")
os.environ.setdefault("OPTOUT_JOB_LEASE_SECONDS", "4")
os.environ.setdefault("OPTOUT_JOB_PENDING_GRACE_SECONDS", "2")
os.environ.setdefault("OPTOUT_JOB_SWEEP_SECONDS", "1")
os.environ.setdefault("OPTOUT_JOB_RETRY_BASE_SECONDS", "0")
os.environ.setdefault("CELERY_TASK_TIME_LIMIT", "120")
os.environ.setdefault("CACHE_KEY_PREFIX", "optout-test")


def _shift_redis_db(url: str, by: int) -> str:
    """``url`` with its database number (the path, 0 when absent) raised by ``by``."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + by
    if not 0 <= number <= 15:
        raise ImproperlyConfigured(
            f"pytest-xdist worker {_WORKER} would use Redis database {number} of {url}; "
            "Redis has 16 (0-15): run fewer workers or start from a lower database number."
        )
    return urlunsplit(parts._replace(path=f"/{number}"))


# pytest-xdist runs the suite in several processes (gw0, gw1, ...). pytest-django gives each
# its own database (test_<name>_gw0, ...); Redis is separated here, because tests read and
# empty the broker's queue and clear the cache. Worker gwN uses the broker and cache database
# numbers of the URLs plus 2*N: with `make test` (0 and 1) gw0 has 0/1, gw1 2/3, gw2 4/5...;
# with base 8/9 and two workers, 8/9 and 10/11. Cache keys and upload temp files get the
# worker's name too. The shifted values are written back to the environment, so processes a
# test starts (Celery workers, manage.py) see the same databases; the marker keeps a child
# that inherits PYTEST_XDIST_WORKER from shifting them again.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER and os.environ.get("OPTOUT_TEST_WORKER") != _WORKER:
    _index = int(_WORKER.removeprefix("gw"))
    for _name in ("CELERY_BROKER_URL", "CACHE_URL"):
        os.environ[_name] = _shift_redis_db(os.environ[_name], 2 * _index)
    os.environ["CACHE_KEY_PREFIX"] += f"-{_WORKER}"
    os.environ.setdefault(
        "OPTOUT_TEMP_DIR", str(Path(__file__).resolve().parent.parent / "var" / "tmp" / _WORKER)
    )
    os.environ["OPTOUT_TEST_WORKER"] = _WORKER

from optout.settings import *  # noqa: E402, F403

# Fast hashing of test passwords; production uses Django's default (PBKDF2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
