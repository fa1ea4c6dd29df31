"""The safe fetcher: the only way this project makes an outbound HTTP request.

Contract
--------
``fetch(url, ...)`` fetches a URL that a user supplied and returns a ``FetchResult``, or
raises a subclass of ``FetchError`` whose ``code`` says why. It guarantees:

* **Methods.** GET and HEAD; POST only with a ``body`` the caller built (a protocol
  request such as an RFC 3161 timestamp query), sent with its Content-Length and never
  redirected (a redirect answer is the result).
* **Schemes.** Only ``http`` and ``https``; anything else is ``SchemeNotAllowed``, also
  when a redirect points to it.
* **Strict URLs** (``InvalidUrl``): at most 2048 characters; no whitespace, control
  characters, NUL or backslash; no user name or password; a numeric port; IPv6 without
  zone identifiers; no non-ASCII host that maps to a dot or to an IP address
  (``127。0。0。1``). IPv4 written in a legacy notation (``127.1``, ``0x7f000001``,
  ``2130706433``) is decoded only to name it in the refusal.
* **Addresses** (``HostNotAllowed`` with a ``reason`` code): a literal address, and
  every address a host name resolves to, must be public. Refused: unspecified, loopback,
  private, CGNAT (100.64/10), link-local (cloud metadata), IETF protocol, documentation,
  benchmarking (198.18/15), multicast, reserved, broadcast; IPv6 outside 2000::/3, ULA,
  site-local, IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4,
  Teredo. A name with any refused answer is refused, even if other answers are public.
  ``localhost`` and ``*.localhost`` are refused without asking DNS.
* **Pinning.** Each connection calls ``getaddrinfo`` exactly once and connects to a
  checked address from that answer, so a second lookup (DNS rebinding) cannot change the
  target. TLS still uses the host name for SNI and certificate verification.
* **Ports** (``PortNotAllowed``): 80 and 443, plus ports named in the allowlist.
* **Redirects**: 301, 302, 303, 307 and 308 are followed up to 5 times; each hop is
  parsed and checked as above; a loop or a sixth redirect is ``TooManyRedirects``.
  Authorization and Cookie headers a caller set are not sent to another origin.
* **No proxy.** Proxy environment variables (``HTTP_PROXY``, ``HTTPS_PROXY``,
  ``ALL_PROXY``, ``NO_PROXY``) are never read.
* **Caps.** ``max_bytes`` of body (default 50 MiB), ``max_decoded_bytes`` after gzip,
  deflate or br (default: ``max_bytes``; a decompression bomb stops at the cap),
  ``max_header_bytes`` (64 KiB) and ``max_headers`` (100) for the response head, a
  connect timeout (5 s) and one deadline for the whole fetch, redirects included
  (``deadline_seconds``, default 30 s; a server that drips bytes is cut off). Going over a
  body cap raises ``TooLarge``, the deadline ``FetchTimeout``, unless
  ``allow_partial=True``: then the result keeps what arrived, marked ``truncated``.
* **Allowlist.** ``settings.OPTOUT_FETCH_ALLOWED_HOSTS`` (from the environment variable of
  the same name, comma separated) lists host names or literal addresses, each with an
  optional port, that are let through although their addresses are not public. It is
  empty by default. A name does not allow its addresses, nor an address the names that
  resolve to it. ``settings.OPTOUT_FETCH_CA_BUNDLE`` adds a CA file to the system trust
  store (for private deployments and tests).

The result records, for every hop (each redirect and the final response): method, URL,
the request head exactly as sent, status, reason, HTTP version, the response head
exactly as received and its headers in order with duplicates, the body after transfer
decoding (``raw_body``) and after content decoding (``body``), peer IP and port, every
resolved address, TLS version, cipher and certificate chains (DER, as sent and as
verified), timings in milliseconds, the bytes read from the wire, and whether and why the
body was truncated. Bodies stay in memory up to 1 MiB and spill to temporary files; close
the result (it is a context manager) to remove them.

Errors carry ``hops``: the responses that arrived before the failure, so an evidence
capture can still keep them. ``check_url(url)`` runs the checks that need no network,
for forms and APIs that want to refuse a URL at once; ``check_url_resolves(url)`` adds
the DNS lookup and address checks, for a URL saved now and fetched later.

Only ``transport.py`` in this package opens connections;
``tests/optout/test_fetch.py`` fails if any other project module imports an HTTP client.
"""

from __future__ import annotations

from optout.lib.fetch.addresses import Allowlist, address_refusal
from optout.lib.fetch.client import (
    CONNECT_TIMEOUT_SECONDS,
    DEFAULT_DEADLINE_SECONDS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_HEADER_BYTES,
    DEFAULT_MAX_HEADERS,
    MAX_REDIRECTS,
    USER_AGENT,
    allowlist,
    check_url,
    check_url_resolves,
    fetch,
)
from optout.lib.fetch.errors import (
    BadResponse,
    ConnectionFailed,
    DnsFailed,
    FetchError,
    FetchRefused,
    FetchTimeout,
    HostNotAllowed,
    InvalidUrl,
    PortNotAllowed,
    SchemeNotAllowed,
    TlsFailed,
    TooLarge,
    TooManyRedirects,
)
from optout.lib.fetch.parsing import MAX_URL_LENGTH, Target, parse_url
from optout.lib.fetch.results import Body, FetchResult, Hop, Timings, TlsInfo

__all__ = [
    "CONNECT_TIMEOUT_SECONDS",
    "DEFAULT_DEADLINE_SECONDS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_HEADERS",
    "DEFAULT_MAX_HEADER_BYTES",
    "MAX_REDIRECTS",
    "MAX_URL_LENGTH",
    "USER_AGENT",
    "Allowlist",
    "BadResponse",
    "Body",
    "ConnectionFailed",
    "DnsFailed",
    "FetchError",
    "FetchRefused",
    "FetchResult",
    "FetchTimeout",
    "Hop",
    "HostNotAllowed",
    "InvalidUrl",
    "PortNotAllowed",
    "SchemeNotAllowed",
    "Target",
    "Timings",
    "TlsFailed",
    "TlsInfo",
    "TooLarge",
    "TooManyRedirects",
    "address_refusal",
    "allowlist",
    "check_url",
    "check_url_resolves",
    "fetch",
    "parse_url",
]
