"""Strict parsing of the URLs the fetcher is given, before anything touches the network.

Parsing is deliberately narrower than a browser's: a URL that a browser would "repair"
(spaces, backslashes, user names, exotic IPv4 spellings, look-alike dots) is refused
with a specific reason instead, because each repair is a known SSRF bypass.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

import idna
from django.utils.translation import gettext_lazy as _

from optout.lib.fetch.addresses import IPAddress
from optout.lib.fetch.errors import InvalidUrl, SchemeNotAllowed

MAX_URL_LENGTH: Final = 2048
DEFAULT_PORT: Final = {"http": 80, "https": 443}

# Whitespace of any script, C0 and C1 controls, DEL and NUL.
_FORBIDDEN = re.compile(
    r"[\s\x00-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]"
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_PORT = re.compile(r"[0-9]{1,5}")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
_HEX = re.compile(r"0[xX][0-9a-fA-F]*")
_OCTAL = re.compile(r"0[0-7]+")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
# Characters left as they are in a path or query; everything else is percent-encoded.
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


@dataclass(frozen=True)
class Target:
    """One parsed URL: what to resolve, where to connect and what to ask for."""

    scheme: str
    host: str
    """Lower-case ASCII host name (IDNA A-labels), or the IP address without brackets."""
    port: int
    target: str
    """The request target sent on the request line: path and query, percent-encoded."""
    ip: IPAddress | None = None
    """The address, when the URL names one instead of a host name."""
    legacy_ip: bool = False
    """True when the address was written in a non-standard IPv4 notation (``127.1``)."""

    @property
    def url(self) -> str:
        """The normalised URL (no fragment, default port left out)."""
        return f"{self.scheme}://{self.authority}{self.target}"

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == DEFAULT_PORT[self.scheme]:
            return host
        return f"{host}:{self.port}"

    @property
    def host_key(self) -> str:
        """The name or address as written in allowlist entries."""
        return self.ip.compressed if self.ip is not None else self.host

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


def parse_url(url: str) -> Target:
    """Parse and normalise ``url`` or raise ``InvalidUrl`` / ``SchemeNotAllowed``."""
    if not isinstance(url, str) or not url:
        raise InvalidUrl(_("Enter a web address that starts with http:// or https://."))
    if len(url) > MAX_URL_LENGTH:
        raise InvalidUrl(
            _("The address is longer than %(limit)s characters."),
            url=url[:100],
            params={"limit": MAX_URL_LENGTH},
        )
    if _FORBIDDEN.search(url):
        raise InvalidUrl(_("The address contains spaces or control characters."), url=url)
    if "\\" in url:
        raise InvalidUrl(_("The address contains a backslash."), url=url)
    match = _SCHEME.match(url)
    if not match:
        raise InvalidUrl(_("Enter a web address that starts with http:// or https://."), url=url)
    scheme = match.group(1).lower()
    if scheme not in DEFAULT_PORT:
        raise SchemeNotAllowed(
            _("Only http:// and https:// addresses can be fetched, not %(scheme)s:."),
            url=url,
            params={"scheme": scheme},
        )
    rest = url[match.end() :]
    if not rest.startswith("//"):
        raise InvalidUrl(_("Enter a web address that starts with http:// or https://."), url=url)
    rest = rest[2:]
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, remainder = rest[:end], rest[end:]
    if "@" in authority:
        raise InvalidUrl(_("User names and passwords in web addresses are not allowed."), url=url)
    host, port = _split_authority(authority, scheme, url)
    target = _request_target(remainder)
    if host.startswith("["):
        ip = _ipv6_literal(host[1:-1], url)
        return Target(scheme=scheme, host=ip.compressed, port=port, target=target, ip=ip)
    name = _host_name(host, url)
    if _ends_in_number(name):
        ipv4, legacy = _ipv4_literal(name, url)
        return Target(
            scheme=scheme,
            host=ipv4.compressed,
            port=port,
            target=target,
            ip=ipv4,
            legacy_ip=legacy,
        )
    return Target(scheme=scheme, host=name, port=port, target=target)


def _split_authority(authority: str, scheme: str, url: str) -> tuple[str, int]:
    if not authority:
        raise InvalidUrl(_("The address has no host name."), url=url)
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise InvalidUrl(_("The IPv6 address in the web address is not closed."), url=url)
        host, after = authority[: close + 1], authority[close + 1 :]
        if after and not after.startswith(":"):
            raise InvalidUrl(_("The host name is not valid."), url=url)
        port_text = after[1:] if after else None
    else:
        host, sep, port_text_raw = authority.partition(":")
        port_text = port_text_raw if sep else None
    if port_text is None:
        return host, DEFAULT_PORT[scheme]
    if not _PORT.fullmatch(port_text) or not 0 < int(port_text) < 65536:
        raise InvalidUrl(_("The port in the web address is not a valid number."), url=url)
    return host, int(port_text)


def _ipv6_literal(text: str, url: str) -> ipaddress.IPv6Address:
    if "%" in text:
        raise InvalidUrl(_("IPv6 zone identifiers are not allowed in web addresses."), url=url)
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        raise InvalidUrl(_("The IPv6 address in the web address is not valid."), url=url) from None


def _host_name(host: str, url: str) -> str:
    if host.endswith("."):
        host = host[:-1]  # the DNS root: "example.com." is "example.com"
    if not host:
        raise InvalidUrl(_("The address has no host name."), url=url)
    name = host.lower() if host.isascii() else _idna_name(host, url)
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidUrl(_("The host name is not valid."), url=url)
    return name


def _idna_name(host: str, url: str) -> str:
    """A-labels for an internationalised name, refusing names that only look like others.

    UTS 46 maps the ideographic and full-width full stops (U+3002, U+FF0E, U+FF61) to
    ``.`` and full-width digits to ASCII digits, so ``127。0。0。1`` would become
    ``127.0.0.1``. A non-ASCII label that maps to a dot or to an IP address is refused.
    """
    labels: list[str] = []
    for label in host.split("."):
        try:
            mapped = idna.uts46_remap(label, std3_rules=True, transitional=False)
        except (idna.IDNAError, UnicodeError):
            raise InvalidUrl(_("The host name is not valid."), url=url) from None
        if "." in mapped or not mapped:
            raise InvalidUrl(
                _("The host name uses a character that looks like a dot but is not one."),
                url=url,
            )
        try:
            labels.append(mapped if mapped.isascii() else idna.alabel(mapped).decode("ascii"))
        except (idna.IDNAError, UnicodeError):
            raise InvalidUrl(_("The host name is not valid."), url=url) from None
    name = ".".join(labels).lower()
    if _ends_in_number(name):
        raise InvalidUrl(
            _("The host name uses non-ASCII characters that spell an IP address."), url=url
        )
    return name


def _ends_in_number(name: str) -> bool:
    """The WHATWG rule: a host whose last label is numeric is an IPv4 address."""
    last = name.rsplit(".", 1)[-1]
    return bool(re.fullmatch(r"[0-9]+", last) or _HEX.fullmatch(last))


def _ipv4_literal(name: str, url: str) -> tuple[ipaddress.IPv4Address, bool]:
    """The address and whether it was spelled in a legacy form (``0x7f.1``, ``2130706433``).

    Legacy forms are parsed as the WHATWG URL standard (and ``inet_aton``) read them, so
    the refusal can name the address they really mean.
    """
    try:
        return ipaddress.IPv4Address(name), False
    except ValueError:
        pass
    parts = name.split(".")
    numbers: list[int] = []
    if len(parts) > 4:
        raise InvalidUrl(_("The IP address in the web address is not valid."), url=url)
    for part in parts:
        if _HEX.fullmatch(part):
            numbers.append(int(part[2:] or "0", 16))
        elif _OCTAL.fullmatch(part):
            numbers.append(int(part, 8))
        elif _DECIMAL.fullmatch(part):
            numbers.append(int(part, 10))
        else:
            raise InvalidUrl(_("The IP address in the web address is not valid."), url=url)
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise InvalidUrl(_("The IP address in the web address is not valid."), url=url)
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value), True


def _request_target(remainder: str) -> str:
    without_fragment = remainder.split("#", 1)[0]
    path, sep, query = without_fragment.partition("?")
    path = quote(path, safe=_SAFE_PATH) or "/"
    if not path.startswith("/"):
        path = "/" + path
    if sep:
        return f"{path}?{quote(query, safe=_SAFE_QUERY)}"
    return path
