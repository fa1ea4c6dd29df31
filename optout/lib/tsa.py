"""Talking to an RFC 3161 timestamp authority (TSA), only ever through the safe fetcher.

``tsa_post`` sends one query. ``tsa_relay`` serves libraries that insist on contacting
the TSA themselves (c2pa-rs, behind c2pa-python, takes a TSA URL and makes the request on
its own): they are given a loopback address whose only job is to pass each query on with
``tsa_post``, so the label's TSA gets the same checks as every outbound request (allowed
hosts, no private addresses, no redirects, size and time limits).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from optout.lib.fetch import FetchError, fetch
from optout.lib.fetch.client import check_url

MAX_TOKEN_BYTES = 1024 * 1024
MAX_QUERY_BYTES = 64 * 1024
TSA_DEADLINE_SECONDS = 30


class TsaError(Exception):
    """The TSA could not be asked, or did not answer with HTTP 200; the message says why."""


def tsa_post(url: str, query: bytes) -> bytes:
    """POST a TimeStampReq to the TSA at ``url``; its answer as received (not yet checked)."""
    try:
        with fetch(
            url,
            method="POST",
            body=query,
            headers={
                "Content-Type": "application/timestamp-query",
                "Accept": "application/timestamp-reply",
            },
            max_bytes=MAX_TOKEN_BYTES,
            deadline_seconds=TSA_DEADLINE_SECONDS,
            max_redirects=0,
        ) as result:
            if result.status != 200:
                raise TsaError(f"The timestamp authority answered HTTP {result.status}.")
            return result.content
    except FetchError as exc:
        raise TsaError(f"The timestamp authority could not be reached: {exc}") from None


@dataclass
class Relay:
    url: str
    """The loopback address to give the library."""
    errors: list[str] = field(default_factory=list)
    """Why queries were not answered (shown when the library's own error says less)."""


def _handler(target: str, relay: Relay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _answer(self, status: int, body: bytes, media_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 < length <= MAX_QUERY_BYTES:
                self._answer(400, b"a timestamp query is expected", "text/plain")
                return
            try:
                token = tsa_post(target, self.rfile.read(length))
            except TsaError as exc:
                relay.errors.append(str(exc))
                self._answer(502, str(exc).encode(), "text/plain")
                return
            self._answer(200, token, "application/timestamp-reply")

    return Handler


@contextmanager
def tsa_relay(url: str) -> Iterator[Relay]:
    """A loopback relay to the TSA at ``url`` for as long as the block runs."""
    try:
        check_url(url)
    except FetchError as exc:
        raise TsaError(f"The timestamp authority's address is refused: {exc}") from None
    relay = Relay(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(url, relay))
    server.daemon_threads = True
    relay.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="tsa-relay", daemon=True)
    thread.start()
    try:
        yield relay
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
