"""The safe fetcher's caps on size and time, against hostile loopback servers.

Each test uses small caps and deadlines so the suite stays fast; the defaults are
asserted on their own.
"""

from __future__ import annotations

import gzip
import inspect
import socket
import time
import tracemalloc
import zlib
from typing import Any

import brotli
import pytest

from optout.lib import fetch as fetch_module
from optout.lib.fetch import (
    BadResponse,
    FetchTimeout,
    TooLarge,
    fetch,
)
from optout.lib.fetch.decoding import content_encodings, make_decoder
from tests.servers import (
    LoopbackServer,
    bomb,
    drip,
    huge_header,
    many_headers,
    raw,
    respond,
    silent,
    stream,
)

# A cap that regresses can turn into a hang: fail fast instead of at the suite's 300 s.
pytestmark = pytest.mark.timeout(30)

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@pytest.fixture
def server(http_server: LoopbackServer, fetch_settings: Any) -> LoopbackServer:
    fetch_settings.allow(f"127.0.0.1:{http_server.port}")
    return http_server


def test_the_defaults_are_the_documented_ones() -> None:
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(fetch).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }
    assert defaults["max_bytes"] == 50 * MiB
    assert defaults["max_decoded_bytes"] is None  # the same as max_bytes
    assert defaults["deadline_seconds"] == 30
    assert defaults["connect_timeout"] == 5
    assert defaults["max_redirects"] == 5
    assert defaults["max_header_bytes"] == 64 * KiB
    assert defaults["max_headers"] == 100
    assert defaults["allow_partial"] is False
    assert fetch_module.MAX_URL_LENGTH == 2048


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_it_aborts_a_2_gib_body_at_the_cap(server: LoopbackServer, chunked: bool) -> None:
    url = server.route("/huge", stream(2 * GiB, chunked=chunked))

    started = time.monotonic()
    with pytest.raises(TooLarge) as refused:
        fetch(url, max_bytes=1 * MiB)

    hop = refused.value.hops[-1]
    assert time.monotonic() - started < 5
    assert hop.raw_body.size == 1 * MiB
    assert hop.truncated and hop.truncation == "max_bytes"
    assert hop.wire_bytes - len(hop.response_head) <= 1 * MiB + 64 * KiB + (
        # chunk framing: "10000\r\n" before and "\r\n" after each 64 KiB chunk
        (1 * MiB // (64 * KiB) + 2) * 9 if chunked else 0
    )
    assert "1048576" in refused.value.message


def test_it_keeps_a_truncated_body_when_asked_to(server: LoopbackServer) -> None:
    url = server.route("/huge", stream(2 * GiB))

    with fetch(url, max_bytes=256 * KiB, allow_partial=True) as result:
        assert result.status == 200
        assert result.truncated
        assert result.final.truncation == "max_bytes"
        assert result.content == b"\0" * (256 * KiB)


def test_it_streams_a_body_up_to_the_default_cap_in_bounded_memory(
    server: LoopbackServer,
) -> None:
    url = server.route("/huge", stream(2 * GiB))

    tracemalloc.start()
    try:
        with pytest.raises(TooLarge) as refused:
            fetch(url)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    hop = refused.value.hops[-1]
    assert hop.raw_body.size == 50 * MiB
    assert hop.wire_bytes - len(hop.response_head) <= 50 * MiB + 64 * KiB
    assert peak < 8 * MiB  # bodies past 1 MiB live in a temporary file, not in memory
    assert server.bytes_sent < 2 * GiB


def test_it_decodes_gzip_deflate_and_br_bodies(server: LoopbackServer) -> None:
    text = b"<p>Reserved for AI training</p>" * 5000
    bodies = {
        "gzip": ("gzip", gzip.compress(text)),
        "gzip-members": ("gzip", gzip.compress(text[:1000]) + gzip.compress(text[1000:])),
        "deflate": ("deflate", zlib.compress(text)),
        "raw-deflate": ("deflate", zlib.compress(text, wbits=-15)),
        "br": ("br", brotli.compress(text)),
        "gzip-then-br": ("gzip, br", brotli.compress(gzip.compress(text))),
    }
    for name, (encoding, body) in bodies.items():
        url = server.route(f"/{name}", respond(body, headers=[("Content-Encoding", encoding)]))

        result = fetch(url)

        assert result.content == text, name
        assert result.final.raw_body.read() == body
        assert result.final.content_encoding == tuple(encoding.split(", "))
        assert result.final.body.sha256 != result.final.raw_body.sha256


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(b"a" * 1000) + gzip.compress(b"b" * 1000)),
        ("deflate", zlib.compress(b"a" * 1000 + b"b" * 1000)),
        ("deflate", zlib.compress(b"a" * 1000 + b"b" * 1000, wbits=-15)),
        ("br", brotli.compress(b"a" * 1000 + b"b" * 1000)),
        ("gzip, br", brotli.compress(gzip.compress(b"a" * 1000 + b"b" * 1000))),
    ],
    ids=["gzip-members", "deflate", "raw-deflate", "br", "gzip-then-br"],
)
def test_it_decodes_a_body_however_the_network_splits_it(encoding: str, body: bytes) -> None:
    for cut in range(len(body) + 1):
        decoder = make_decoder(content_encodings([encoding]))
        assert decoder is not None
        pieces = [*decoder.feed(body[:cut]), *decoder.feed(body[cut:]), *decoder.finish()]
        assert b"".join(pieces) == b"a" * 1000 + b"b" * 1000, f"split at byte {cut}"


@pytest.mark.parametrize(
    ("encoding", "decoded_size"),
    [("gzip", 10 * GiB), ("br", 256 * MiB), ("deflate", 64 * MiB)],
)
def test_it_stops_a_decompression_bomb_at_the_cap(
    server: LoopbackServer, encoding: str, decoded_size: int
) -> None:
    url = server.route("/bomb", bomb(decoded_size, encoding=encoding))

    started = time.monotonic()
    with pytest.raises(TooLarge) as refused:
        fetch(url, max_decoded_bytes=1 * MiB)

    hop = refused.value.hops[-1]
    assert time.monotonic() - started < 5
    assert hop.body.size == 1 * MiB
    assert hop.truncation == "max_decoded_bytes"
    assert hop.raw_body.size < 1 * MiB  # far less than the 10 GiB it expands to
    assert "decompressed" in refused.value.message


def test_it_refuses_a_body_that_is_not_what_its_encoding_says(server: LoopbackServer) -> None:
    url = server.route("/bad", respond(b"not gzip at all", headers=[("Content-Encoding", "gzip")]))
    odd = server.route("/odd", respond(b"data", headers=[("Content-Encoding", "compress")]))

    with pytest.raises(BadResponse) as refused:
        fetch(url)
    partial = fetch(odd, allow_partial=True)

    assert refused.value.hops[-1].raw_body.read() == b"not gzip at all"
    assert "gzip" in refused.value.hops[-1].decode_error
    assert "compress" in partial.final.decode_error
    assert partial.final.raw_body.read() == b"data"


def test_it_cuts_off_a_server_that_drips_one_byte_a_second(server: LoopbackServer) -> None:
    url = server.route("/drip", drip(interval=1.0))

    started = time.monotonic()
    with pytest.raises(FetchTimeout) as refused:
        fetch(url, deadline_seconds=1.5)
    elapsed = time.monotonic() - started

    assert 1.4 < elapsed < 2.5
    assert refused.value.hops[-1].truncation == "deadline"
    assert refused.value.hops[-1].raw_body.size <= 2


def test_it_cuts_off_headers_that_never_end(server: LoopbackServer) -> None:
    url = server.route("/drip", drip(interval=0.2, in_headers=True))

    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(url, deadline_seconds=1)

    assert time.monotonic() - started < 2


def test_it_gives_up_on_a_server_that_never_replies(server: LoopbackServer) -> None:
    url = server.route("/silent", silent)

    started = time.monotonic()
    with pytest.raises(FetchTimeout) as refused:
        fetch(url, deadline_seconds=1)
    elapsed = time.monotonic() - started

    assert 0.9 < elapsed < 2
    assert refused.value.hops == ()
    assert server.hits("/silent") == 1


def test_one_deadline_covers_every_redirect(server: LoopbackServer) -> None:
    for n in range(1, 5):
        server.route(f"/r{n}", _slow_redirect(f"/r{n + 1}" if n < 4 else "/end", delay=0.3))
    server.route("/end", respond("late"))

    with pytest.raises(FetchTimeout):
        fetch(server.url("/r1"), deadline_seconds=1)


def _slow_redirect(location: str, *, delay: float) -> Any:
    def route(conn: Any) -> None:
        time.sleep(delay)
        conn.respond(b"", status=302, headers=[("Location", location)])

    return route


def test_it_refuses_a_one_mebibyte_header(server: LoopbackServer) -> None:
    url = server.route("/big-header", huge_header(1 * MiB))

    with pytest.raises(TooLarge) as refused:
        fetch(url, max_header_bytes=16 * KiB)

    assert "headers" in refused.value.message
    assert refused.value.hops == ()


def test_it_refuses_too_many_headers(server: LoopbackServer) -> None:
    url = server.route("/many", many_headers(60))
    fine = server.route("/some", many_headers(20))

    with pytest.raises(TooLarge) as refused:
        fetch(url, max_headers=50)

    assert "50" in refused.value.message
    assert fetch(fine, max_headers=50).status == 200


@pytest.mark.parametrize(
    "response",
    [
        b"",
        b"garbage\r\n\r\n",
        b"HTTP/2 200 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    ],
    ids=["nothing", "garbage", "http2", "two-lengths", "short-body", "bad-chunk"],
)
def test_it_refuses_a_response_that_is_not_valid_http(
    server: LoopbackServer, response: bytes
) -> None:
    url = server.route("/bad", raw(response))

    with pytest.raises(BadResponse) as refused:
        fetch(url, deadline_seconds=2)

    assert refused.value.code == "bad_response"


def test_it_skips_informational_responses(server: LoopbackServer) -> None:
    url = server.route(
        "/hints",
        raw(
            b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\nok"
        ),
    )

    result = fetch(url)

    assert result.status == 200
    assert result.content == b"ok"
    assert result.final.response_head.startswith(b"HTTP/1.1 200 OK")
    assert result.header("x-final") == "yes"
    assert result.header("link") is None


def test_it_gives_up_on_a_connection_that_is_never_accepted(
    fetch_settings: Any,
) -> None:
    # A listener whose accept queue is full: the kernel drops further SYNs, so connect()
    # hangs the way it does for a host that does not answer.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fetch_settings.allow(f"127.0.0.1:{port}")
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.1)

        started = time.monotonic()
        with pytest.raises(FetchTimeout) as refused:
            fetch(f"http://127.0.0.1:{port}/", connect_timeout=0.5, deadline_seconds=5)

        assert time.monotonic() - started < 1.5
        assert "Connecting" in refused.value.message
    finally:
        for filler in fillers:
            filler.close()
        listener.close()
