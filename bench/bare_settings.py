"""The project's settings with the bare DRF list of bench/catalog_list.py as URLconf."""

from __future__ import annotations

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
