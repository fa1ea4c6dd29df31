"""Fixed-window rate limits on the shared (Redis) cache, for public pages without accounts.

Every public form or link (a notice's response link, a label's fan report form and its
name search) counts requests per key in a window: the first request of a window creates
the counter, each one increments it, and once the count passes the limit the page answers
429 until the window ends. The counter lives in the cache every web process shares, so a
limit holds across processes and machines.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

from optout.lib.client_ip import client_ip


@dataclass(frozen=True)
class RateLimit:
    name: str
    """The counter's namespace, e.g. ``"notices:respond"``."""
    limit: int
    """Requests allowed per window; the next one is refused."""
    window: int
    """The window, in seconds (also the 429's ``Retry-After``)."""


def rate_limit_hit(limit: RateLimit, key: str) -> bool:
    """Count one request against ``key``; True when it is over the limit."""
    return _increment(f"ratelimit:{limit.name}:{key}", window=limit.window) > limit.limit


def _increment(counter: str, *, window: int) -> int:
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip instead of two (the API counts every request): create the counter
        # with its expiry unless it exists, then increment it, as one transaction. Django's
        # Redis cache stores integers as plain Redis integers, so cache.get() reads it too.
        name = backend.make_and_validate_key(counter)
        client = backend._cache.get_client(name, write=True)  # type: ignore[attr-defined]
        with client.pipeline(transaction=True) as pipe:
            pipe.set(name, 0, ex=window, nx=True)
            pipe.incr(name)
            _created, count = pipe.execute()
        return int(count)
    cache.add(counter, 0, timeout=window)
    try:
        return int(cache.incr(counter))
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=window)
        return 1


def request_address(request: HttpRequest) -> str:
    """The client address the limits count by (behind the trusted proxies, if any)."""
    return client_ip(request, trusted_hops=settings.OPTOUT_TRUSTED_PROXY_HOPS) or "unknown"
