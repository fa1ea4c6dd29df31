"""The safe fetcher: refusals, DNS pinning, redirects, proxies and the positive control.

Size and time caps are in test_fetch_limits.py. Every refusal test asserts that the
loopback server was reached 0 times and that nothing tried to connect anywhere.
"""

from __future__ import annotations

import ast
import ipaddress
import socket
import time
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from optout.lib.fetch import (
    Allowlist,
    ConnectionFailed,
    DnsFailed,
    FetchError,
    FetchTimeout,
    HostNotAllowed,
    InvalidUrl,
    PortNotAllowed,
    SchemeNotAllowed,
    TlsFailed,
    TooManyRedirects,
    address_refusal,
    check_url,
    fetch,
    parse_url,
)
from tests.servers import LoopbackServer, redirect, respond

ROOT = Path(__file__).resolve().parents[2]

# --- The refusal matrix (reliability.md §b.1) ----------------------------------------------
# "{port}" is the loopback server's port: if a loopback spelling slipped through, the
# request would reach the server and the test would see it.

SCHEMES = [
    ("file:///etc/passwd", SchemeNotAllowed, None),
    ("file:/etc/passwd", SchemeNotAllowed, None),
    ("FILE:///etc/passwd", SchemeNotAllowed, None),
    ("file://localhost/etc/passwd", SchemeNotAllowed, None),
    ("source:file:///etc/passwd", SchemeNotAllowed, None),
    ("gopher://127.0.0.1:6379/_INFO", SchemeNotAllowed, None),
    ("dict://127.0.0.1:6379/INFO", SchemeNotAllowed, None),
    ("ftp://127.0.0.1/", SchemeNotAllowed, None),
    ("data:text/html,<b>x", SchemeNotAllowed, None),
    ("javascript:alert(1)", SchemeNotAllowed, None),
    ("  http://127.0.0.1:{port}/", InvalidUrl, None),
    ("%20%20http://127.0.0.1:{port}/", InvalidUrl, None),
]
LOOPBACK = [
    ("http://127.0.0.1:{port}/", HostNotAllowed, "loopback"),
    ("http://127.1:{port}/", HostNotAllowed, "loopback"),
    ("http://0x7f000001:{port}/", HostNotAllowed, "loopback"),
    ("http://0x7f.0.0.1:{port}/", HostNotAllowed, "loopback"),
    ("http://2130706433:{port}/", HostNotAllowed, "loopback"),
    ("http://017700000001:{port}/", HostNotAllowed, "loopback"),
    ("http://0:{port}/", HostNotAllowed, "unspecified"),
    ("http://0.0.0.0:{port}/", HostNotAllowed, "unspecified"),
    ("http://[::1]:{port}/", HostNotAllowed, "loopback"),
    ("http://[::]:{port}/", HostNotAllowed, "unspecified"),
    ("http://[::ffff:127.0.0.1]:{port}/", HostNotAllowed, "ipv4_mapped"),
    ("http://[::127.0.0.1]:{port}/", HostNotAllowed, "ipv4_compatible"),
    ("http://localhost:{port}/", HostNotAllowed, "local_name"),
    ("http://LOCALHOST.:{port}/", HostNotAllowed, "local_name"),
]
METADATA = [
    ("http://169.254.169.254/latest/meta-data/", HostNotAllowed, "link_local"),
    ("http://[fd00:ec2::254]/", HostNotAllowed, "unique_local"),
    ("http://100.100.100.200/", HostNotAllowed, "shared"),
    ("http://[64:ff9b::a9fe:a9fe]/", HostNotAllowed, "nat64"),
]
PRIVATE = [
    ("http://10.0.0.1/", HostNotAllowed, "private"),
    ("http://172.16.0.1/", HostNotAllowed, "private"),
    ("http://192.168.1.1/", HostNotAllowed, "private"),
    ("http://100.64.0.1/", HostNotAllowed, "shared"),
    ("http://198.18.0.1/", HostNotAllowed, "benchmarking"),
    ("http://[fc00::1]/", HostNotAllowed, "unique_local"),
    ("http://[fe80::1%25lo]/", InvalidUrl, None),
    ("http://[2002:7f00:1::]/", HostNotAllowed, "6to4"),
    ("http://224.0.0.1/", HostNotAllowed, "multicast"),
    ("http://255.255.255.255/", HostNotAllowed, "broadcast"),
]
PARSER = [
    ("http://example.test@127.0.0.1:{port}/", InvalidUrl, None),
    ("http://127.0.0.1:{port}#@example.test/", HostNotAllowed, "loopback"),
    ("http://127.0.0.1:80\\@example.test/", InvalidUrl, None),
    ("http://127\u30020\u30020\u30021:{port}/", InvalidUrl, None),
    ("http://[::1]:6379/", HostNotAllowed, "loopback"),
    ("http://allowed.test:6379/", PortNotAllowed, None),
]
LENGTH = [
    ("http://allowed.test/" + "a" * 10_000, InvalidUrl, None),
    ("http://allowed.test:{port}/\x00", InvalidUrl, None),
]
MATRIX = SCHEMES + LOOPBACK + METADATA + PRIVATE + PARSER + LENGTH
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


def test_the_matrix_has_every_url_of_the_reliability_plan() -> None:
    assert len(MATRIX) == 48  # 47, plus the %20-encoded spelling of the whitespace case
    assert len({url for url, _error, _reason in MATRIX}) == len(MATRIX)


@pytest.fixture(params=["no proxy", "proxy set"])
def proxy_server(request: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """With "proxy set", every proxy variable points at a loopback server that must
    never see a connection: the fetcher does not read them."""
    if request.param == "no proxy":
        yield None
        return
    with LoopbackServer() as proxy:
        for name in PROXY_VARIABLES:
            monkeypatch.setenv(name, proxy.url("/"))
        monkeypatch.setenv("NO_PROXY", "")
        yield proxy


@pytest.mark.parametrize(("url", "error", "reason"), MATRIX, ids=[u[:60] for u, *_ in MATRIX])
def test_it_refuses_every_url_of_the_matrix_without_connecting(
    url: str,
    error: type[FetchError],
    reason: str | None,
    http_server: LoopbackServer,
    fetch_settings: Any,
    fake_dns: Any,
    tripwire: Any,
    proxy_server: LoopbackServer | None,
) -> None:
    fake_dns.add("allowed.test", "127.0.0.1")
    fetch_settings.allow("allowed.test")
    http_server.route("/", respond("secret"))
    concrete = url.replace("{port}", str(http_server.port))
    tripwire.attempts.clear()

    started = time.monotonic()
    with pytest.raises(error) as refused:
        fetch(concrete, deadline_seconds=5)

    assert time.monotonic() - started < 1
    assert type(refused.value) is error
    if reason is not None:
        assert isinstance(refused.value, HostNotAllowed)
        assert refused.value.reason == reason
    assert refused.value.message  # a sentence for the user, not an empty string
    assert http_server.connections == 0
    assert tripwire.attempts == []
    assert fake_dns.calls == []
    if proxy_server is not None:
        assert proxy_server.connections == 0
    with pytest.raises(error):
        check_url(concrete)


# --- DNS: resolve once, check every answer, connect to what was checked -------------------


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (["10.0.0.5"], "private"),
        (["93.184.216.34", "127.0.0.1"], "loopback"),
        (["127.0.0.1", "93.184.216.34"], "loopback"),
        (["2606:2800:220:1:248:1893:25c8:1946", "fd00::5"], "unique_local"),
        (["::ffff:127.0.0.1"], "ipv4_mapped"),
    ],
    ids=["private", "public-then-loopback", "loopback-then-public", "v6-mixed", "mapped-only"],
)
def test_it_refuses_a_name_when_any_answer_is_not_public(
    answers: list[str], reason: str, fetch_settings: Any, fake_dns: Any, tripwire: Any
) -> None:
    fake_dns.add("victim.test", *answers)
    tripwire.attempts.clear()

    with pytest.raises(HostNotAllowed) as refused:
        fetch("http://victim.test/")

    assert refused.value.reason == reason
    assert "victim.test" in refused.value.message
    assert fake_dns.lookups("victim.test") == 1
    assert tripwire.attempts == []


def test_it_refuses_the_cloud_metadata_name(
    fetch_settings: Any, fake_dns: Any, tripwire: Any
) -> None:
    fake_dns.add("metadata.google.internal", "169.254.169.254")
    tripwire.attempts.clear()

    with pytest.raises(HostNotAllowed) as refused:
        fetch("http://metadata.google.internal/computeMetadata/v1/")

    assert refused.value.reason == "link_local"
    assert refused.value.address == "169.254.169.254"
    assert fake_dns.lookups("metadata.google.internal") == 1
    assert tripwire.attempts == []


def test_it_connects_to_the_address_it_checked_when_dns_rebinds(
    fetch_settings: Any,
    fake_dns: Any,
    http_server: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # First answer public, any later one loopback: a client that resolves twice (once to
    # check, once to connect) would end up on 127.0.0.1.
    fake_dns.add_sequence("rebind.test", ["93.184.216.34"], ["127.0.0.1"])
    attempts: list[Any] = []
    loopback_connect = socket.socket.connect

    def unreachable_outside(sock: socket.socket, address: Any) -> Any:
        attempts.append(address)
        if not str(address[0]).startswith("127."):
            raise ConnectionRefusedError("test network: only loopback is reachable")
        return loopback_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", unreachable_outside)

    with pytest.raises(ConnectionFailed):
        fetch("http://rebind.test/")

    assert fake_dns.lookups("rebind.test") == 1
    assert attempts == [("93.184.216.34", 80)]
    assert http_server.connections == 0


def test_it_reports_a_name_that_does_not_resolve(fetch_settings: Any, fake_dns: Any) -> None:
    with pytest.raises(DnsFailed) as failed:
        fetch("http://no-such-host.test/")

    assert "no-such-host.test" in failed.value.message
    assert fake_dns.lookups("no-such-host.test") == 1


def test_it_gives_up_on_a_resolver_that_hangs(
    fetch_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def hanging(*args: Any, **kwargs: Any) -> Any:
        time.sleep(3)
        raise socket.gaierror(socket.EAI_AGAIN, "timeout")

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    started = time.monotonic()

    with pytest.raises(FetchTimeout):
        fetch("http://slow-dns.test/", deadline_seconds=0.5)

    assert time.monotonic() - started < 1.5


# --- Redirects ----------------------------------------------------------------------------


@pytest.fixture
def redirecting(http_server: LoopbackServer, fetch_settings: Any, fake_dns: Any) -> Any:
    fake_dns.add("allowed.test", "127.0.0.1")
    fake_dns.add("other.test", "127.0.0.1")
    fetch_settings.allow(f"allowed.test:{http_server.port}", f"other.test:{http_server.port}")
    return http_server


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("http://127.0.0.1:{port}/secret", HostNotAllowed),
        ("http://localhost:{port}/secret", HostNotAllowed),
        ("http://[::ffff:7f00:1]:{port}/secret", HostNotAllowed),
        ("file:///etc/passwd", SchemeNotAllowed),
        ("gopher://127.0.0.1:6379/_INFO", SchemeNotAllowed),
        ("http://allowed.test:6379/", PortNotAllowed),
    ],
)
def test_it_checks_every_redirect_hop(
    location: str, error: type[FetchError], redirecting: LoopbackServer, tripwire: Any
) -> None:
    server = redirecting
    server.route("/start", redirect(location.replace("{port}", str(server.port))))
    server.route("/secret", respond("secret"))

    with pytest.raises(error) as refused:
        fetch(server.url("/start", host="allowed.test"))

    assert refused.value.redirected
    assert "redirected" in refused.value.message
    assert server.hits("/start") == 1
    assert server.hits("/secret") == 0
    assert server.connections == 1
    assert [hop.status for hop in refused.value.hops] == [302]
    assert tripwire.refused == []


def test_it_stops_after_five_redirects(redirecting: LoopbackServer) -> None:
    server = redirecting
    for n in range(1, 7):
        server.route(f"/r{n}", redirect(f"/r{n + 1}" if n < 6 else "/final"))
    server.route("/final", respond("too far"))

    with pytest.raises(TooManyRedirects) as refused:
        fetch(server.url("/r1", host="allowed.test"))

    assert server.hits("/r6") == 1
    assert server.hits("/final") == 0
    assert len(refused.value.hops) == 6


def test_it_follows_five_redirects_and_records_the_chain(redirecting: LoopbackServer) -> None:
    server = redirecting
    for n in range(1, 6):
        server.route(f"/r{n}", redirect(f"/r{n + 1}" if n < 5 else "/final", status=301 + n % 3))
    server.route("/final", respond("arrived"))

    with fetch(server.url("/r1", host="allowed.test")) as result:
        assert result.content == b"arrived"
        assert result.final_url == server.url("/final", host="allowed.test")
        assert result.redirect_chain == tuple(
            server.url(p, host="allowed.test")
            for p in ("/r1", "/r2", "/r3", "/r4", "/r5", "/final")
        )
        assert [hop.location for hop in result.hops[:-1]] == list(result.redirect_chain[1:])


def test_it_stops_a_redirect_loop(redirecting: LoopbackServer) -> None:
    server = redirecting
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/a"))

    with pytest.raises(TooManyRedirects) as refused:
        fetch(server.url("/a", host="allowed.test"))

    assert "loop" in refused.value.message
    assert (server.hits("/a"), server.hits("/b")) == (1, 1)


def test_it_keeps_credentials_to_the_origin_they_were_meant_for(
    redirecting: LoopbackServer,
) -> None:
    server = redirecting
    server.route("/start", redirect(server.url("/next", host="other.test"), status=307))
    server.route("/next", respond("ok"))

    fetch(
        server.url("/start", host="allowed.test"),
        headers={"Authorization": "Bearer secret", "Accept-Language": "sv"},
    )

    first, second = server.requests
    assert first.header("Authorization") == "Bearer secret"
    assert second.header("Authorization") is None
    assert second.header("Accept-Language") == "sv"
    assert second.header("Host") == f"other.test:{server.port}"


def test_it_can_return_a_redirect_without_following_it(redirecting: LoopbackServer) -> None:
    server = redirecting
    server.route("/start", redirect("/final"))

    result = fetch(server.url("/start", host="allowed.test"), max_redirects=0)

    assert result.status == 302
    assert result.final.location == server.url("/final", host="allowed.test")
    assert server.hits("/final") == 0


# --- Positive control: allowlisted loopback servers return everything -------------------


def test_it_fetches_an_allowlisted_http_server_and_records_every_field(
    http_server: LoopbackServer, fetch_settings: Any, proxy_server: LoopbackServer | None
) -> None:
    fetch_settings.allow(f"127.0.0.1:{http_server.port}")
    http_server.route("/old", redirect("/page?q=1", status=301))
    http_server.route(
        "/page",
        respond(
            "<p>Terms</p>",
            headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Set-Cookie", "a=1"),
                ("Set-Cookie", "b=2"),
                ("X-Robots-Tag", "noai"),
            ],
        ),
    )

    with fetch(http_server.url("/old")) as result:
        final = result.final
        assert result.status == 200
        assert result.text() == "<p>Terms</p>"
        assert result.final_url == http_server.url("/page?q=1")
        assert result.redirect_chain == (http_server.url("/old"), http_server.url("/page?q=1"))
        assert [h.status for h in result.hops] == [301, 200]
        assert final.header_values("set-cookie") == ["a=1", "b=2"]
        assert [name for name, _v in final.headers][:4] == [
            "Content-Type",
            "Set-Cookie",
            "Set-Cookie",
            "X-Robots-Tag",
        ]
        assert final.response_head.startswith(b"HTTP/1.1 200 OK\r\n")
        assert final.response_head.endswith(b"\r\n\r\n")
        assert (final.http_version, final.reason) == ("HTTP/1.1", "OK")
        assert final.request_head == http_server.requests[1].raw
        assert ("Host", f"127.0.0.1:{http_server.port}") in final.request_headers
        assert (final.peer_ip, final.peer_port) == ("127.0.0.1", http_server.port)
        assert final.resolved == ("127.0.0.1",)
        assert final.tls is None
        assert final.started_at.tzinfo is UTC
        assert 0 <= final.timings.headers_ms <= final.timings.done_ms
        assert final.body is final.raw_body
        assert final.body.size == len(b"<p>Terms</p>")
        assert not result.truncated
        assert result.provenance()["hops"][1]["peer_ip"] == "127.0.0.1"
    if proxy_server is not None:
        assert proxy_server.connections == 0
    assert http_server.connections == 2


def test_it_fetches_an_allowlisted_https_server_with_its_certificate_chain(
    https_server: LoopbackServer, fetch_settings: Any, fake_dns: Any, loopback_ca: Any
) -> None:
    fake_dns.add("allowed.test", "127.0.0.1")
    fetch_settings.allow(f"allowed.test:{https_server.port}")
    https_server.route("/", respond("secure"))

    with fetch(https_server.url("/", host="allowed.test")) as result:
        tls = result.tls
        assert result.content == b"secure"
        assert result.peer_ip == "127.0.0.1"
        assert tls is not None
        assert tls.version in ("TLSv1.2", "TLSv1.3")
        assert tls.cipher
        assert tls.server_name == "allowed.test"
        leaf_pem = loopback_ca.server_cert.cert_chain_pems[0].bytes().decode()
        assert tls.leaf == _der(leaf_pem)
        assert len(tls.peer_chain) == 2  # leaf and intermediate, as the server sent them
        assert len(tls.verified_chain) == 3  # ... and the root they verify against
        assert tls.verified_chain[-1] == _der(loopback_ca.ca.cert_pem.bytes().decode())
    assert https_server.sni_names == ["allowed.test"]
    assert fake_dns.lookups("allowed.test") == 1


def test_it_fetches_https_by_ip_address_without_sni(
    https_server: LoopbackServer, fetch_settings: Any
) -> None:
    fetch_settings.allow(f"127.0.0.1:{https_server.port}")
    https_server.route("/", respond("by address"))

    result = fetch(https_server.url("/"))

    assert result.content == b"by address"
    assert result.tls is not None and result.tls.server_name == ""
    assert https_server.sni_names == [None]


def test_it_refuses_a_certificate_it_cannot_verify(
    https_server: LoopbackServer, fetch_settings: Any, fake_dns: Any, settings: Any
) -> None:
    fake_dns.add("allowed.test", "127.0.0.1")
    fake_dns.add("wrong.test", "127.0.0.1")
    fetch_settings.allow(f"allowed.test:{https_server.port}", f"wrong.test:{https_server.port}")
    https_server.route("/", respond("secure"))

    with pytest.raises(TlsFailed) as wrong_name:
        fetch(https_server.url("/", host="wrong.test"))
    settings.OPTOUT_FETCH_CA_BUNDLE = ""
    with pytest.raises(TlsFailed) as unknown_ca:
        fetch(https_server.url("/", host="allowed.test"))

    assert "wrong.test" in wrong_name.value.message
    assert "certificate" in unknown_ca.value.message
    assert https_server.hits() == 0


def _der(pem: str) -> bytes:
    import ssl

    return ssl.PEM_cert_to_DER_cert(pem)


# --- The allowlist ------------------------------------------------------------------------


def test_nothing_is_allowlisted_by_default(settings: Any, http_server: LoopbackServer) -> None:
    assert settings.OPTOUT_FETCH_ALLOWED_HOSTS == []
    http_server.route("/", respond("secret"))

    with pytest.raises(HostNotAllowed):
        fetch(http_server.url("/"))
    assert http_server.connections == 0


def test_an_allowlisted_name_does_not_allow_its_address(
    http_server: LoopbackServer, fetch_settings: Any, fake_dns: Any
) -> None:
    fake_dns.add("allowed.test", "127.0.0.1")
    fetch_settings.allow(f"allowed.test:{http_server.port}")

    with pytest.raises(HostNotAllowed):
        fetch(http_server.url("/"))
    assert http_server.connections == 0


def test_an_allowlisted_address_does_not_allow_names_that_resolve_to_it(
    http_server: LoopbackServer, fetch_settings: Any, fake_dns: Any
) -> None:
    fake_dns.add("allowed.test", "127.0.0.1")
    fetch_settings.allow("127.0.0.1", f"127.0.0.1:{http_server.port}")

    with pytest.raises(HostNotAllowed) as refused:
        fetch("http://allowed.test/")
    with pytest.raises(PortNotAllowed):
        fetch(http_server.url("/", host="allowed.test"))

    assert refused.value.reason == "loopback"
    assert http_server.connections == 0


def test_an_allowlisted_host_gets_only_the_ports_its_entry_names(
    http_server: LoopbackServer, fetch_settings: Any
) -> None:
    fetch_settings.allow("127.0.0.1")

    with pytest.raises(PortNotAllowed):
        fetch(http_server.url("/"))
    assert http_server.connections == 0


def test_the_allowlist_reads_names_addresses_and_ports() -> None:
    allowed = Allowlist.parse(["Intranet.Example.", "10.0.0.8:8080", "[fd00::8]:8443", "::1"])

    assert allowed.allows_name("intranet.example")
    assert allowed.allows_address(ipaddress.ip_address("10.0.0.8"))
    assert allowed.allows_address(ipaddress.ip_address("::1"))
    assert allowed.allows_port("10.0.0.8", 8080)
    assert allowed.allows_port("fd00::8", 8443)
    assert not allowed.allows_port("intranet.example", 8080)
    assert allowed.allows_port("anything.example", 443)


@pytest.mark.parametrize("entry", ["http://x.test", "x.test:0", "x.test:http", "[::1", "a@b", ""])
def test_a_bad_allowlist_entry_stops_the_fetcher_and_fails_the_checks(
    entry: str, settings: Any
) -> None:
    settings.OPTOUT_FETCH_ALLOWED_HOSTS = [entry]

    with pytest.raises(ImproperlyConfigured):
        fetch("http://public.test/")
    errors = [m for m in run_checks() if m.id == "optout.E020"]
    assert len(errors) == 1


# --- Addresses and URLs -------------------------------------------------------------------


@pytest.mark.parametrize(
    "address", ["::127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "224.0.0.1"]
)
def test_it_refuses_addresses_that_python_calls_global(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert ip.is_global  # the Python 3.11 mistake this guard must not rely on (V7)
    assert address_refusal(ip) is not None


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "1.1.1.1", "2606:2800:220:1:248:1893:25c8:1946", "2a00:1450::1"]
)
def test_it_allows_public_addresses(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("https://example.com:443/a b".replace(" ", "%20"), "https://example.com/a%20b"),
        ("http://example.com:8080/p?q=å#frag", "http://example.com:8080/p?q=%C3%A5"),
        ("http://bücher.example/", "http://xn--bcher-kva.example/"),
        # full-width letters, which UTS 46 maps to ASCII as browsers do
        ("http://\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com/", "http://example.com/"),
        ("http://example.com./x", "http://example.com/x"),
        ("http://[2606:2800:220:1::1]:80/", "http://[2606:2800:220:1::1]/"),
    ],
)
def test_it_normalises_urls(url: str, normalised: str) -> None:
    assert parse_url(url).url == normalised


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34.0/",
        "http://0x5db8d822/",
        "http://exa mple.com/",
        "http://example.com:99999/",
        "http://example.com:/",
        "http:example.com",
        "http://",
        "http://exa_mple..com/",
        "http://\uff11\uff12\uff17.0.0.1/",  # full-width digits spelling 127.0.0.1
        "http://example.com/\r\nX-Injected: 1",
    ],
)
def test_it_refuses_urls_a_browser_would_repair(url: str) -> None:
    with pytest.raises(InvalidUrl):
        check_url(url)


def test_it_accepts_urls_up_to_2048_characters() -> None:
    base = "http://example.com/"
    assert parse_url(base + "a" * (2048 - len(base)))
    with pytest.raises(InvalidUrl):
        parse_url(base + "a" * (2049 - len(base)))


# --- Only the fetcher opens connections ---------------------------------------------------

SCANNED = ("optout", "catalog", "evidence", "notices", "monitoring", "scripts", "manage.py")
APPROVED = {"optout/lib/fetch/transport.py"}
HTTP_CLIENTS = {
    "requests",
    "urllib3",
    "httpx",
    "aiohttp",
    "http.client",
    "urllib.request",
    "pycurl",
    "httplib2",
    "ftplib",
    "telnetlib",
    "websocket",
    "websockets",
}
CONNECTING_CALLS = {"create_connection", "urlopen", "open_connection", "getaddrinfo"}


def outbound_uses(source: str) -> list[str]:
    """HTTP-client imports and connection-opening calls in one module's source."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in CONNECTING_CALLS:
                found.append(f"{name}() at line {node.lineno}")
            continue
        else:
            continue
        for name in names:
            if any(name == banned or name.startswith(banned + ".") for banned in HTTP_CLIENTS):
                found.append(f"import {name} at line {node.lineno}")
    return found


def test_only_the_fetcher_opens_outbound_connections() -> None:
    offenders: dict[str, list[str]] = {}
    for entry in SCANNED:
        path = ROOT / entry
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            relative = file.relative_to(ROOT).as_posix()
            uses = outbound_uses(file.read_text(encoding="utf-8"))
            if uses and relative not in APPROVED:
                offenders[relative] = uses
    assert offenders == {}


def test_the_scan_would_catch_a_new_http_client() -> None:
    assert outbound_uses((ROOT / "optout/lib/fetch/transport.py").read_text()) != []
    assert outbound_uses("import requests\nrequests.get('http://x')") == [
        "import requests at line 1"
    ]
    assert outbound_uses("from urllib.request import urlopen\nurlopen('http://x')") == [
        "import urllib.request at line 1",
        "import urllib.request.urlopen at line 1",
        "urlopen() at line 2",
    ]
    assert outbound_uses("import socket\nsocket.create_connection(('x', 80))") == [
        "create_connection() at line 2"
    ]
