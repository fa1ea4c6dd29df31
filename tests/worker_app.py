"""The Celery app for worker processes started by the tests: the real app plus test kinds."""

from __future__ import annotations

from optout.celery import app
from tests import job_kinds  # noqa: F401  (registers the test job kinds)

__all__ = ["app"]
