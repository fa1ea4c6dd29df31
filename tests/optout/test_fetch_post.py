"""POST with a body through the safe fetcher (what an RFC 3161 timestamp query needs)."""

from __future__ import annotations

import pytest

from optout.lib.fetch import FetchError, fetch
from tests.servers import Conn, FetchSettings, LoopbackServer, redirect, respond


def _echo(conn: Conn) -> None:
    request = conn.request
    body = request.raw.split(b"\r\n\r\n", 1)[1]
    length = int(request.header("content-length") or 0)
    while len(body) < length:
        body += conn.sock.recv(65536)
    conn.respond(
        f"{request.method} {len(body)} {request.header('content-type')}".encode() + b"|" + body,
        headers=[("Content-Type", "application/octet-stream")],
    )


def test_it_posts_a_body_with_its_length(
    http_server: LoopbackServer, fetch_settings: FetchSettings
) -> None:
    fetch_settings.allow(f"127.0.0.1:{http_server.port}")
    url = http_server.route("/echo", _echo)
    payload = bytes(range(256)) * 10
    with fetch(
        url, method="POST", body=payload, headers={"Content-Type": "application/timestamp-query"}
    ) as result:
        assert result.status == 200
        assert result.content == b"POST 2560 application/timestamp-query|" + payload
    assert http_server.hits("/echo") == 1


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_answer_to_a_post_is_returned_not_followed(
    http_server: LoopbackServer, fetch_settings: FetchSettings, status: int
) -> None:
    fetch_settings.allow(f"127.0.0.1:{http_server.port}")
    http_server.route("/echo", _echo)
    url = http_server.route("/submit", redirect("/echo", status=status))
    with fetch(url, method="POST", body=b"secret query") as result:
        assert result.status == status and len(result.hops) == 1
    assert http_server.hits("/echo") == 0


def test_a_post_to_a_refused_address_sends_nothing(
    http_server: LoopbackServer, fetch_settings: FetchSettings
) -> None:
    url = http_server.route("/echo", respond("never"))
    with pytest.raises(FetchError):
        fetch(url, method="POST", body=b"x")
    assert http_server.connections == 0


@pytest.mark.parametrize(("method", "body"), [("POST", None), ("GET", b"x"), ("PUT", b"x")])
def test_a_body_goes_with_post_only(method: str, body: bytes | None) -> None:
    with pytest.raises(ValueError):
        fetch("http://example.test/", method=method, body=body)  # type: ignore[arg-type]
