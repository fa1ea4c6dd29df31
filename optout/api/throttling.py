"""The API's request limits, counted in fixed windows by ``optout.ratelimit``.

DRF's own throttles keep, per client, the list of every request's time in the window and
read and rewrite it on each request: at the default user rate that list holds up to 6,000
times, and two requests of one client at once can both read it before either writes, so
one is not counted. Here each request is one atomic increment of a counter that expires
with its window, shared by every web process through the cache.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from optout.ratelimit import RateLimit, rate_limit_hit


class _WindowCounter(SimpleRateThrottle):
    num_requests: int
    duration: int

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        limit = RateLimit(name=f"api:{self.scope}", limit=self.num_requests, window=self.duration)
        return not rate_limit_hit(limit, key)

    def wait(self) -> float:
        # The window began at the client's first request in it: at most this long to wait.
        return float(self.duration)


class AnonWindowThrottle(_WindowCounter, AnonRateThrottle):
    """Requests without a signed-in user, counted per client address."""


class UserWindowThrottle(_WindowCounter, UserRateThrottle):
    """Requests of a signed-in user (session or token), counted per user."""
