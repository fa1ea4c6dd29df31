"""The territory seed for tests that run after a transactional test emptied the tables.

``django_db(transaction=True)`` tests end with a flush, which removes rows that data
migrations wrote; the map is seeded again from the migration itself, so the tests see
exactly what a fresh database holds.
"""

from __future__ import annotations

import importlib

from django.apps import apps

from optout.policy.models import Territory

_MIGRATION = importlib.import_module("optout.policy.migrations.0007_seed_territories")


def ensure_territories() -> None:
    if not Territory.objects.exists():
        _MIGRATION.seed(apps, None)
