"""Settings for the test suite: production settings with test-only values.

The environment defaults below are the ones `make test` uses; CI and developers may point
them elsewhere (another database name, another Redis database number).
"""

from __future__ import annotations

import os

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

from optout.settings import *  # noqa: F403

# Fast hashing of test passwords; production uses Django's default (PBKDF2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
