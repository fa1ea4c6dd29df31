"""Which IP addresses the fetcher may connect to, and the allowlist that overrides it.

``ipaddress``'s ``is_global`` is not enough on Python 3.11: it calls ``::127.0.0.1``,
``64:ff9b::a9fe:a9fe`` (NAT64 of 169.254.169.254), ``2002:7f00:1::`` (6to4 of 127.0.0.1)
and ``224.0.0.1`` global. So the rule here is an explicit deny list first, then a
requirement that IPv6 be global unicast (2000::/3), then ``is_global`` as a last net.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS: Final = frozenset({80, 443})

REASONS: Final[dict[str, Promise]] = {
    "unspecified": _("an unspecified address"),
    "loopback": _("a loopback address"),
    "private": _("a private address"),
    "shared": _("a carrier-grade NAT address"),
    "link_local": _("a link-local address"),
    "protocol": _("an address reserved for protocol use"),
    "documentation": _("a documentation address"),
    "benchmarking": _("a benchmarking address"),
    "multicast": _("a multicast address"),
    "reserved": _("a reserved address"),
    "broadcast": _("the broadcast address"),
    "ipv4_mapped": _("an IPv4-mapped IPv6 address"),
    "ipv4_compatible": _("an IPv4-compatible IPv6 address"),
    "nat64": _("a NAT64 address"),
    "6to4": _("a 6to4 address"),
    "teredo": _("a Teredo address"),
    "discard": _("a discard-only address"),
    "site_local": _("a site-local address"),
    "unique_local": _("a unique local address"),
    "not_global": _("an address that is not publicly routable"),
    "local_name": _("a name for this machine or its local network"),
}

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Most specific first, so the reason names the narrowest range.
_DENY_V4: Final[tuple[tuple[ipaddress.IPv4Network, str], ...]] = (
    (_V4("255.255.255.255/32"), "broadcast"),
    (_V4("0.0.0.0/8"), "unspecified"),
    (_V4("10.0.0.0/8"), "private"),
    (_V4("100.64.0.0/10"), "shared"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link_local"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.0.0.0/24"), "protocol"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("192.88.99.0/24"), "6to4"),
    (_V4("192.168.0.0/16"), "private"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("240.0.0.0/4"), "reserved"),
)

_DENY_V6: Final[tuple[tuple[ipaddress.IPv6Network, str], ...]] = (
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("::ffff:0:0/96"), "ipv4_mapped"),
    (_V6("::ffff:0:0:0/96"), "ipv4_mapped"),  # the SIIT "IPv4-translated" form
    (_V6("::/96"), "ipv4_compatible"),
    (_V6("64:ff9b::/96"), "nat64"),
    (_V6("64:ff9b:1::/48"), "nat64"),
    (_V6("100::/64"), "discard"),
    (_V6("2001::/32"), "teredo"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("2001::/23"), "protocol"),
    (_V6("2002::/16"), "6to4"),
    (_V6("3fff::/20"), "documentation"),
    (_V6("5f00::/16"), "reserved"),
    (_V6("fc00::/7"), "unique_local"),
    (_V6("fe80::/10"), "link_local"),
    (_V6("fec0::/10"), "site_local"),
    (_V6("ff00::/8"), "multicast"),
)

_GLOBAL_UNICAST: Final = _V6("2000::/3")

# Names that mean "this machine" whatever a resolver says (RFC 6761).
_LOCAL_NAMES: Final = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def parse_ip(text: str) -> IPAddress:
    """An address from a resolver answer or a URL; an IPv6 zone (``%eth0``) is dropped."""
    return ipaddress.ip_address(text.split("%", 1)[0])


def address_refusal(ip: IPAddress) -> str | None:
    """The reason code (a key of ``REASONS``) this address is refused for, or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(ip.compressed.split("%", 1)[0])
        for network, reason in _DENY_V6:
            if ip in network:
                return reason
        if ip not in _GLOBAL_UNICAST:
            return "reserved"
    else:
        for network4, reason in _DENY_V4:
            if ip in network4:
                return reason
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return "not_global"
    return None


def is_local_name(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host in _LOCAL_NAMES or host.endswith(".localhost")


@dataclass(frozen=True)
class Allowlist:
    """Hosts let through by ``OPTOUT_FETCH_ALLOWED_HOSTS``.

    An entry is a host name or a literal address, optionally with a port
    (``intranet.example``, ``10.0.0.8``, ``[fd00::8]:8443``, ``allowed.test:8001``). A name
    lets through whatever that name resolves to; an address lets through URLs that are
    written with that address. A name does not allow its addresses, nor an address the
    names that resolve to it. Ports 80 and 443 are always allowed; other ports only for
    the host of the entry that names them.
    """

    names: frozenset[str] = frozenset()
    addresses: frozenset[IPAddress] = frozenset()
    ports: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Allowlist:
        names: set[str] = set()
        addresses: set[IPAddress] = set()
        ports: set[tuple[str, int]] = set()
        for raw in entries:
            host, port = _split_entry(raw)
            try:
                address = parse_ip(host)
            except ValueError:
                key = _normalise_name(raw, host)
                names.add(key)
            else:
                key = address.compressed
                addresses.add(address)
            if port is not None:
                ports.add((key, port))
        return cls(frozenset(names), frozenset(addresses), frozenset(ports))

    def allows_name(self, name: str) -> bool:
        return name in self.names

    def allows_address(self, ip: IPAddress) -> bool:
        return ip in self.addresses

    def allows_port(self, host_key: str, port: int) -> bool:
        return port in DEFAULT_PORTS or (host_key, port) in self.ports


def _split_entry(raw: str) -> tuple[str, int | None]:
    entry = raw.strip()
    port_text = ""
    if entry.startswith("["):
        host, sep, rest = entry[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise _bad_entry(raw)
        port_text = rest[1:]
        if rest and not port_text:
            raise _bad_entry(raw)
    elif entry.count(":") == 1:
        host, _sep, port_text = entry.partition(":")
        if not port_text:
            raise _bad_entry(raw)
    else:
        host = entry
    if not host or "/" in host or "@" in host:
        raise _bad_entry(raw)
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _bad_entry(raw)
    return host, int(port_text)


def _normalise_name(raw: str, host: str) -> str:
    name = host.lower().rstrip(".")
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise _bad_entry(raw) from None
    if not ascii_name or any(not label for label in ascii_name.split(".")):
        raise _bad_entry(raw)
    return ascii_name


def _bad_entry(raw: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"OPTOUT_FETCH_ALLOWED_HOSTS entry {raw!r} is not a host name or IP address with an "
        "optional port (example: intranet.example, 10.0.0.8, [fd00::8]:8443)."
    )
