"""The client's address, as the deployment's trusted reverse proxy saw it.

Behind a proxy every request comes from the proxy's address, so rate limits keyed on
``REMOTE_ADDR`` would count all users together. With ``DJANGO_TRUST_X_FORWARDED_FOR`` on,
the address is read from X-Forwarded-For: each trusted proxy appends the address it
received the connection from, so the entry ``hops`` from the right is the one the
outermost trusted proxy saw. Entries further left are whatever the client sent and are
never believed. With the setting off, X-Forwarded-For is ignored entirely.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest, *, trusted_hops: int) -> str | None:
    """The client address; ``trusted_hops`` is 0 when no proxy is trusted."""
    remote = _address(str(request.META.get("REMOTE_ADDR", "")))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted_hops <= 0 or not forwarded:
        return remote
    entries = [entry for entry in str(forwarded).split(",") if entry.strip()]
    if len(entries) < trusted_hops:
        # The request did not pass through every trusted proxy: nothing in it is vouched for.
        return remote
    return _address(entries[-trusted_hops]) or remote
