from __future__ import annotations

import pytest

from tests.policy.seed import ensure_territories


@pytest.fixture(autouse=True)
def _territories(request: pytest.FixtureRequest) -> None:
    if (
        request.node.get_closest_marker("django_db")
        or "db" in request.fixturenames
        or ("team" in request.fixturenames)
    ):
        request.getfixturevalue("db")
        ensure_territories()


# The local RFC 3161 authority (tests/evidence/tsa.py), for timestamped C2PA signatures.
from tests.evidence.tsa import local_tsa, tsa_pki  # noqa: E402, F401
