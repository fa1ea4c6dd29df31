"""The API's request limits: per user, each request counted once, in the API's error shape
when exceeded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from optout.api.throttling import UserWindowThrottle
from optout.ratelimit import RateLimit, rate_limit_hit
from optout.services.tokens import token_create
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def _get(key: str, path: str = "/api/v1/labels/label-a/recordings/") -> object:
    return Client().get(path, HTTP_AUTHORIZATION=f"Token {key}")


def test_a_user_past_the_limit_gets_429_in_the_error_shape_and_others_go_on(
    team: Team, api_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(UserWindowThrottle.THROTTLE_RATES, "user", "3/min")
    statuses = [_get(api_token).status_code for _ in range(3)]  # type: ignore[attr-defined]
    limited = _get(api_token)
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429  # type: ignore[attr-defined]
    assert limited["Retry-After"] == "60"  # type: ignore[index]
    body = limited.json()  # type: ignore[attr-defined]
    assert body["error"]["code"] == "throttled", body
    # Another token of the same user shares the user's count; another user does not.
    _token, second = token_create(user=team.owner, name="second")
    assert _get(second).status_code == 429  # type: ignore[attr-defined]
    _token, rights = token_create(user=team.rights, name="rights")
    assert _get(rights).status_code == 200  # type: ignore[attr-defined]


def test_requests_at_once_are_each_counted() -> None:
    # 40 requests from 8 threads against a limit of 25: exactly 15 are refused, none lost.
    limit = RateLimit(name="tests:concurrent", limit=25, window=60)
    with ThreadPoolExecutor(max_workers=8) as pool:
        refused = list(pool.map(lambda _n: rate_limit_hit(limit, "one-key"), range(40)))
    assert refused.count(True) == 15
