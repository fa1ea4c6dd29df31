"""Routes of the notices app."""

from __future__ import annotations

from tests.matrix import Route, World


def build(world: World, side: str) -> None:
    pass


ROUTES = [
    Route(
        "notice_respond",
        kind="public",
        kwargs=lambda o: {"token": "not-a-real-token"},
        note="Token-gated: an unknown token is a 404 page (tests/notices/test_respond.py).",
    ),
]
