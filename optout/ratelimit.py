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
from django.core.cache import cache
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
    counter = f"ratelimit:{limit.name}:{key}"
    cache.add(counter, 0, timeout=limit.window)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=limit.window)
        count = 1
    return int(count) > limit.limit


def request_address(request: HttpRequest) -> str:
    """The client address the limits count by (behind the trusted proxies, if any)."""
    return client_ip(request, trusted_hops=settings.OPTOUT_TRUSTED_PROXY_HOPS) or "unknown"
