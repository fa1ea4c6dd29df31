from __future__ import annotations

from typing import Any

import pytest

from catalog.demo import seed_demo_catalog
from tests.conftest import Team


@pytest.fixture
def demo(team: Team) -> Team:
    """Label A with the demo catalog (every kind, one of each risk flag)."""
    seed_demo_catalog(team.label, team.owner)
    return team


def api(slug: str, path: str = "") -> str:
    return f"/api/v1/labels/{slug}/{path}"


def errors_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert "error" in body, body
    return body["error"].get("fields") or {}
