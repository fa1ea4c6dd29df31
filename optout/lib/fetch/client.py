"""``fetch()``: policy checks and redirects around single exchanges."""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import replace
from typing import Final, Literal
from urllib.parse import urljoin

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from optout.lib.fetch.addresses import REASONS, Allowlist, address_refusal, is_local_name
from optout.lib.fetch.decoding import ACCEPT_ENCODING
from optout.lib.fetch.errors import (
    FetchError,
    HostNotAllowed,
    InvalidUrl,
    PortNotAllowed,
    TooManyRedirects,
)
from optout.lib.fetch.parsing import Target, parse_url
from optout.lib.fetch.results import FetchResult, Hop
from optout.lib.fetch.transport import Deadline, Limits, exchange, resolve_checked

DEFAULT_MAX_BYTES: Final = 50 * 1024 * 1024
DEFAULT_DEADLINE_SECONDS: Final = 30.0
CONNECT_TIMEOUT_SECONDS: Final = 5.0
MAX_REDIRECTS: Final = 5
DEFAULT_MAX_HEADER_BYTES: Final = 64 * 1024
DEFAULT_MAX_HEADERS: Final = 100
USER_AGENT: Final = "Optout/0.1 (+evidence and opt-out signal checks)"

REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
Method = Literal["GET", "HEAD", "POST"]

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")
# Set by the fetcher itself; a caller cannot smuggle framing or routing through them.
_RESERVED_HEADERS: Final = frozenset(
    {
        "host",
        "connection",
        "content-length",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "expect",
    }
)
# Dropped when a redirect leaves the origin they were meant for.
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "cookie"})


def allowlist() -> Allowlist:
    """``OPTOUT_FETCH_ALLOWED_HOSTS`` parsed (read on every fetch, so tests can change it)."""
    return Allowlist.parse(getattr(settings, "OPTOUT_FETCH_ALLOWED_HOSTS", []) or [])


def check_url(url: str) -> Target:
    """Refuse a URL that could never be fetched, without touching the network.

    Checks the syntax, the scheme, a literal IP address and the port. A host name passes
    here and is checked again, with its DNS answers, when it is fetched.
    """
    target = parse_url(url)
    _check_target(target, allowlist())
    return target


def check_url_resolves(url: str, *, deadline_seconds: float = 10) -> Target:
    """``check_url`` and then the DNS answers: refuse a host name that resolves to an
    address the fetcher would not connect to (unless the allowlist names it), so a form
    can refuse a URL when it is saved rather than when it is first fetched."""
    allowed = allowlist()
    target = parse_url(url)
    _check_target(target, allowed)
    resolve_checked(target, deadline=Deadline(deadline_seconds), allowlist=allowed)
    return target


def fetch(
    url: str,
    *,
    method: Method = "GET",
    headers: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_decoded_bytes: int | None = None,
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    max_headers: int = DEFAULT_MAX_HEADERS,
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    max_redirects: int = MAX_REDIRECTS,
    allow_partial: bool = False,
    body: bytes | None = None,
) -> FetchResult:
    """Fetch ``url`` safely and return every hop it took. See the package docstring.

    ``body`` goes with ``method="POST"`` only (a protocol request such as an RFC 3161
    timestamp query, never a user's data); it is sent with a Content-Length. A POST is
    never redirected: a redirect answer is returned as the result, unfollowed.
    """
    if method not in ("GET", "HEAD", "POST"):
        raise ValueError(f"method must be GET, HEAD or POST, not {method!r}")
    if (method == "POST") != (body is not None):
        raise ValueError("a body goes with POST, and POST needs a body")
    if not 0 <= max_redirects <= MAX_REDIRECTS:
        raise ValueError(f"max_redirects must be between 0 and {MAX_REDIRECTS}")
    if not 0 < max_headers <= DEFAULT_MAX_HEADERS:
        # http.client refuses more than 100 header lines whatever we ask.
        raise ValueError(f"max_headers must be between 1 and {DEFAULT_MAX_HEADERS}")
    decoded_cap = max_bytes if max_decoded_bytes is None else max_decoded_bytes
    if min(max_bytes, decoded_cap, max_header_bytes, deadline_seconds, connect_timeout) <= 0:
        raise ValueError("sizes, the deadline and the connect timeout must be positive")
    extra = _caller_headers(headers or {})
    limits = Limits(
        max_bytes=max_bytes,
        max_decoded_bytes=decoded_cap,
        max_header_bytes=max_header_bytes,
        max_headers=max_headers,
        connect_timeout=connect_timeout,
        allow_partial=allow_partial,
    )
    deadline = Deadline(deadline_seconds)
    allowed = allowlist()
    hops: list[Hop] = []
    seen: set[str] = set()
    current_url = url
    first_origin: tuple[str, str, int] | None = None
    while True:
        redirected = bool(hops)
        try:
            target = parse_url(current_url)
            _check_target(target, allowed)
            if first_origin is None:
                first_origin = target.origin
            sent = _request_headers(target, extra, same_origin=target.origin == first_origin)
            if body is not None:
                sent.insert(-1, ("Content-Length", str(len(body))))
            hop = exchange(
                target,
                method=method,
                headers=sent,
                limits=limits,
                deadline=deadline,
                allowlist=allowed,
                request_body=body or b"",
            )
        except FetchError as exc:
            exc.url = exc.url or current_url
            exc.redirected = redirected
            exc.hops = (*hops, *exc.hops)
            raise
        location = hop.header("location")
        if hop.status not in REDIRECT_STATUSES or not location:
            hops.append(hop)
            return FetchResult(requested_url=url, hops=tuple(hops))
        next_url = _redirect_target(target, location)
        hop = replace(hop, location=next_url)
        hops.append(hop)
        if max_redirects == 0 or method == "POST":
            return FetchResult(requested_url=url, hops=tuple(hops))
        # GET and HEAD stay what they are on every redirect status, 303 included.
        seen.add(target.url)
        if _normalised(next_url) in seen:
            raise _redirect_error(_("The server redirected in a loop."), url=next_url, hops=hops)
        if len(hops) > max_redirects:
            raise _redirect_error(
                _("The server redirected more than %(limit)s times."),
                url=next_url,
                hops=hops,
                limit=max_redirects,
            )
        current_url = next_url


def _redirect_error(
    message: Promise, *, url: str, hops: list[Hop], limit: int | None = None
) -> TooManyRedirects:
    error = TooManyRedirects(
        message, url=url, params={"limit": limit} if limit is not None else None
    )
    error.hops = tuple(hops)
    return error


def _normalised(url: str) -> str:
    try:
        return parse_url(url).url
    except FetchError:
        return url  # refused with its reason when it is fetched


def _redirect_target(target: Target, location: str) -> str:
    """The absolute URL a Location header points to (it is then checked like any URL)."""
    # Header bytes arrive as Latin-1; a UTF-8 Location reads back as UTF-8.
    with suppress(UnicodeError):
        location = location.encode("latin-1").decode("utf-8")
    return urljoin(target.url, location)


def _check_target(target: Target, allowed: Allowlist) -> None:
    """Refusals that need no DNS: local names, literal addresses, ports."""
    if target.ip is not None:
        reason = address_refusal(target.ip)
        if target.legacy_ip:
            if reason is None:
                raise InvalidUrl(
                    _("Write the IP address in the usual dotted form (%(address)s)."),
                    url=target.url,
                    params={"address": target.ip},
                )
            raise HostNotAllowed(
                _("The address is %(reason)s (%(address)s) written in another notation."),
                url=target.url,
                params={"reason": REASONS[reason], "address": target.ip},
                reason=reason,
                address=target.ip.compressed,
            )
        if reason is not None and not allowed.allows_address(target.ip):
            raise HostNotAllowed(
                _("%(address)s is %(reason)s."),
                url=target.url,
                params={"reason": REASONS[reason], "address": target.ip},
                reason=reason,
                address=target.ip.compressed,
            )
    elif is_local_name(target.host) and not allowed.allows_name(target.host):
        raise HostNotAllowed(
            _("%(host)s is %(reason)s."),
            url=target.url,
            params={"host": target.host, "reason": REASONS["local_name"]},
            reason="local_name",
        )
    if not allowed.allows_port(target.host_key, target.port):
        raise PortNotAllowed(
            _("Port %(port)s is not allowed: only the standard ports 80 and 443 can be fetched."),
            url=target.url,
            params={"port": target.port},
        )


def _caller_headers(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    checked: list[tuple[str, str]] = []
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name) or not _FIELD_VALUE.fullmatch(value):
            raise ValueError(f"invalid request header {name!r}")
        if name.lower() in _RESERVED_HEADERS:
            raise ValueError(f"the fetcher sets {name!r} itself")
        checked.append((name, value))
    return checked


def _request_headers(
    target: Target, extra: list[tuple[str, str]], *, same_origin: bool
) -> list[tuple[str, str]]:
    given = {name.lower() for name, _value in extra}
    sent = [("Host", target.authority)]
    for name, value in (
        ("User-Agent", USER_AGENT),
        ("Accept", "*/*"),
        ("Accept-Encoding", ACCEPT_ENCODING),
    ):
        if name.lower() not in given:
            sent.append((name, value))
    sent.extend(
        (name, value)
        for name, value in extra
        if same_origin or name.lower() not in _CREDENTIAL_HEADERS
    )
    sent.append(("Connection", "close"))
    return sent
