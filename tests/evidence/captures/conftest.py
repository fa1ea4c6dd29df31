"""Loopback web sites to capture, and helpers to run a capture through its job."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from PIL import Image

from evidence.models import Capture
from evidence.services.captures import capture_request
from optout.models import Label, User
from optout.services.jobs import job_execute
from tests.evidence.warcs import warc_check

Route = tuple[int, list[tuple[str, str]], bytes]


def png_bytes(colour: str = "red", size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def html(body: str, *, title: str = "Terms of use", head: str = "") -> Route:
    page = (
        f"<!doctype html><html><head><title>{title}</title>{head}</head><body>{body}</body></html>"
    )
    return 200, [("Content-Type", "text/html; charset=utf-8")], page.encode()


@dataclass
class Site:
    """A loopback web server whose routes a test sets; it counts every request per path."""

    server: ThreadingHTTPServer
    routes: dict[str, Route | Callable[[], Route]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    @property
    def total_hits(self) -> int:
        return sum(self.hits.values())


def _serve(routes_of: Callable[[], Site]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            site = routes_of()
            path = self.path.split("?", 1)[0]
            site.hits[path] = site.hits.get(path, 0) + 1
            route = site.routes.get(path)
            if callable(route):
                route = route()
            status, headers, body = route or (404, [("Content-Type", "text/plain")], b"missing")
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

    return Handler


def _start() -> Site:
    holder: dict[str, Site] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _serve(lambda: holder["site"]))
    server.daemon_threads = True
    site = Site(server=server)
    holder["site"] = site
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return site


@pytest.fixture
def site(settings: Any) -> Iterator[Site]:
    """A site the fetcher is allowed to reach (named in OPTOUT_FETCH_ALLOWED_HOSTS)."""
    site = _start()
    settings.OPTOUT_FETCH_ALLOWED_HOSTS = [f"127.0.0.1:{site.port}"]
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture
def secret_site() -> Iterator[Site]:
    """A loopback server that is NOT allowlisted: nothing may ever reach it."""
    site = _start()
    site.routes["/secret"] = (200, [("Content-Type", "text/plain")], b"internal secret")
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture
def outbound_attempts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every connection Python tries to open outside loopback (the tripwire refuses them)."""
    attempts: list[Any] = []
    guarded = socket.socket.connect

    def counting(self: socket.socket, address: Any) -> Any:
        host = str(address[0]) if isinstance(address, tuple) and address else ""
        if self.family in (socket.AF_INET, socket.AF_INET6) and not (
            host.startswith(("127.", "::1", "::ffff:127."))
        ):
            attempts.append(address)
        return guarded(self, address)

    monkeypatch.setattr(socket.socket, "connect", counting)
    return attempts


def capture_now(
    label: Label, actor: User, url: str, *, purpose: str = "own_terms", **fields: Any
) -> Capture:
    """Request a capture and run its job here, as a worker would."""
    capture = capture_request(label=label, actor=actor, url=url, purpose=purpose, **fields)
    return run_capture(capture)


def run_capture(capture: Capture) -> Capture:
    assert capture.job is not None
    job_execute(code=str(capture.job.code))
    done: Capture = (
        Capture.objects.for_label(capture.label)
        .select_related("warc", "screenshot", "pdf", "provenance", "bundle", "job", "previous")
        .get(pk=capture.pk)
    )
    if done.warc is not None:
        warc_check(done.warc)
    return done
