"""Loopback HTTP(S) servers and a fake resolver for tests of code that fetches URLs.

A ``LoopbackServer`` listens on 127.0.0.1, answers each connection from a route table
and counts everything that reaches it, so a test can assert that a refused URL reached
it 0 times. Routes are plain functions of a ``Conn``; the factories below build the
hostile ones (slow drip, silence, huge bodies, decompression bombs, huge headers).

Fixtures (re-exported by tests/conftest.py): ``loopback_ca`` (a trustme CA with an
intermediate), ``http_server``, ``https_server``, ``fake_dns`` and ``fetch_settings``.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import brotli
import pytest
import trustme

Header = tuple[str, str]


@dataclass
class Request:
    method: str
    target: str
    headers: list[Header]
    raw: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class Conn:
    """One accepted connection, as a route handler sees it."""

    def __init__(self, server: LoopbackServer, sock: socket.socket, request: Request) -> None:
        self.server = server
        self.sock = sock
        self.request = request

    def send(self, data: bytes) -> bool:
        """Send bytes; False once the client has gone or the server is stopping."""
        if self.server.stopping.is_set():
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        with self.server.lock:
            self.server.bytes_sent += len(data)
        return True

    def head(
        self, status: int = 200, headers: Iterable[Header] = (), reason: str | None = None
    ) -> bool:
        lines = [f"HTTP/1.1 {status} {reason if reason is not None else _reason(status)}"]
        lines += [f"{name}: {value}" for name, value in headers]
        return self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def respond(
        self,
        body: bytes = b"",
        *,
        status: int = 200,
        headers: Iterable[Header] = (("Content-Type", "text/html; charset=utf-8"),),
    ) -> None:
        all_headers = [*headers, ("Content-Length", str(len(body))), ("Connection", "close")]
        if self.head(status, all_headers) and body and self.request.method != "HEAD":
            self.send(body)

    def wait_until_client_leaves(self, timeout: float = 60.0) -> None:
        """Hold the connection open until the client closes it (or the server stops)."""
        end = time.monotonic() + timeout
        self.sock.settimeout(0.05)
        while time.monotonic() < end and not self.server.stopping.is_set():
            try:
                if self.sock.recv(1024) == b"":
                    return
            except TimeoutError:
                continue
            except OSError:
                return


Route = Callable[[Conn], None]


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class LoopbackServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with a route table and hit counters."""

    def __init__(self, *, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.sni_names: list[str | None] = []
        if tls is not None:
            tls.sni_callback = self._record_sni
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.connections = 0
        self.bytes_sent = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []

    def _record_sni(self, _sock: Any, name: str | None, _context: Any) -> None:
        with self.lock:
            self.sni_names.append(name)

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def route(self, path: str, handler: Route) -> str:
        """Serve ``handler`` at ``path``; returns the URL (host 127.0.0.1)."""
        self.routes[path] = handler
        return self.url(path)

    def hits(self, path: str | None = None) -> int:
        with self.lock:
            return sum(1 for r in self.requests if path is None or r.path == path)

    def start(self) -> LoopbackServer:
        thread = threading.Thread(target=self._serve, name="loopback-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
            worker = threading.Thread(
                target=self._handle, args=(sock,), name="loopback-conn", daemon=True
            )
            worker.start()
            self._threads.append(worker)

    def _handle(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(5)
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_side=True)
            request = _read_request(sock)
            if request is None:
                return
            with self.lock:
                self.requests.append(request)
            handler = self.routes.get(request.path, not_found)
            handler(Conn(self, sock, request))
        except (OSError, ssl.SSLError):
            pass
        finally:
            with contextlib.suppress(OSError):
                sock.close()


def _read_request(sock: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 256 * 1024:
            return None
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    request_line, *lines = head.split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers = [(k.strip(), v.strip()) for k, _s, v in (line.partition(":") for line in lines)]
    return Request(method=method, target=target, headers=headers, raw=data)


# --- Routes -------------------------------------------------------------------------------


def not_found(conn: Conn) -> None:
    conn.respond(b"not found", status=404, headers=[("Content-Type", "text/plain")])


def respond(
    body: bytes | str = b"",
    *,
    status: int = 200,
    headers: Iterable[Header] = (("Content-Type", "text/html; charset=utf-8"),),
) -> Route:
    data = body.encode("utf-8") if isinstance(body, str) else body
    fixed = list(headers)
    return lambda conn: conn.respond(data, status=status, headers=fixed)


def redirect(location: str, *, status: int = 302) -> Route:
    return respond(b"", status=status, headers=[("Location", location)])


def raw(data: bytes) -> Route:
    """Send exactly these bytes, then close."""

    def route(conn: Conn) -> None:
        conn.send(data)

    return route


def stream(total: int, *, chunk: int = 64 * 1024, chunked: bool = False) -> Route:
    """A body of ``total`` zero bytes, sent as fast as the client reads it."""
    block = b"\0" * chunk

    def route(conn: Conn) -> None:
        framing = ("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(total))
        if not conn.head(200, [("Content-Type", "application/octet-stream"), framing]):
            return
        sent = 0
        while sent < total:
            piece = block[: min(chunk, total - sent)]
            data = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
            if not conn.send(data):
                return
            sent += len(piece)
        if chunked:
            conn.send(b"0\r\n\r\n")

    return route


@lru_cache(maxsize=4)
def _compressed_mebibyte(encoding: str) -> bytes:
    zeros = b"\0" * (1024 * 1024)
    if encoding == "gzip":
        return gzip.compress(zeros, compresslevel=9)
    if encoding == "br":
        return bytes(brotli.compress(zeros, quality=11))
    raise ValueError(encoding)


def bomb(decoded_size: int, *, encoding: str = "gzip") -> Route:
    """A decompression bomb: ``decoded_size`` zero bytes as gzip members or br, streamed.

    gzip members concatenate, so a 10 GiB bomb is 10,240 copies of one 1 KiB member and
    costs the server nothing to make. ``deflate`` is one zlib stream of the whole size
    (use a smaller size: it is compressed for real).
    """

    def route(conn: Conn) -> None:
        headers = [("Content-Type", "text/html"), ("Content-Encoding", encoding)]
        if encoding == "gzip":
            member = _compressed_mebibyte("gzip")
            count = max(1, decoded_size // (1024 * 1024))
            headers.append(("Content-Length", str(len(member) * count)))
            if conn.head(200, headers):
                for _ in range(count):
                    if not conn.send(member):
                        return
            return
        body = (
            _deflate_zeros(decoded_size) if encoding == "deflate" else _brotli_zeros(decoded_size)
        )
        headers.append(("Content-Length", str(len(body))))
        if conn.head(200, headers):
            conn.send(body)

    return route


@lru_cache(maxsize=4)
def _deflate_zeros(size: int) -> bytes:
    compressor = zlib.compressobj(9)
    block = b"\0" * (1024 * 1024)
    out = [compressor.compress(block) for _ in range(max(1, size // len(block)))]
    return b"".join(out) + compressor.flush()


@lru_cache(maxsize=4)
def _brotli_zeros(size: int) -> bytes:
    compressor = brotli.Compressor(quality=5)
    block = b"\0" * (1024 * 1024)
    out = [compressor.process(block) for _ in range(max(1, size // len(block)))]
    return b"".join(out) + bytes(compressor.finish())


def drip(*, interval: float = 1.0, in_headers: bool = False, total: int = 10_000) -> Route:
    """One byte every ``interval`` seconds: in the body, or in a header that never ends."""

    def route(conn: Conn) -> None:
        if in_headers:
            if not conn.send(b"HTTP/1.1 200 OK\r\nX-Slow: "):
                return
        elif not conn.head(200, [("Content-Length", str(total))]):
            return
        for _ in range(total):
            if conn.server.stopping.wait(interval) or not conn.send(b"a"):
                return

    return route


def silent(conn: Conn) -> None:
    """Accept the request and never answer."""
    conn.wait_until_client_leaves()


def huge_header(size: int = 1024 * 1024) -> Route:
    def route(conn: Conn) -> None:
        if conn.send(b"HTTP/1.1 200 OK\r\nX-Big: "):
            for _ in range(size // 65536):
                if not conn.send(b"a" * 65536):
                    return
            conn.send(b"\r\nContent-Length: 0\r\n\r\n")

    return route


def many_headers(count: int) -> Route:
    headers = [(f"X-Header-{i}", "x") for i in range(count)]
    return lambda conn: conn.respond(b"", headers=headers)


# --- TLS ----------------------------------------------------------------------------------

SERVER_NAMES = ("127.0.0.1", "localhost", "allowed.test", "public.test", "other.test")


@dataclass
class LoopbackCA:
    """A root CA, an intermediate, and a server certificate for the loopback names."""

    ca: trustme.CA
    intermediate: trustme.CA
    server_cert: trustme.LeafCert
    bundle: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.server_cert.configure_cert(context)
        return context


@pytest.fixture(scope="session")
def loopback_ca(tmp_path_factory: pytest.TempPathFactory) -> LoopbackCA:
    ca = trustme.CA()
    intermediate = ca.create_child_ca()
    server_cert = intermediate.issue_cert(*SERVER_NAMES)
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return LoopbackCA(ca=ca, intermediate=intermediate, server_cert=server_cert, bundle=bundle)


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def https_server(loopback_ca: LoopbackCA) -> Iterator[LoopbackServer]:
    with LoopbackServer(tls=loopback_ca.server_context()) as server:
        yield server


# --- DNS ----------------------------------------------------------------------------------


@dataclass
class FakeResolver:
    """Stands in for ``socket.getaddrinfo``: names map to address lists (or to a sequence
    of answers, one per lookup, for rebinding); every call is recorded."""

    answers: dict[str, list[list[str]]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def add(self, name: str, *addresses: str) -> None:
        self.answers[name] = [list(addresses)]

    def add_sequence(self, name: str, *answers: list[str]) -> None:
        self.answers[name] = [list(a) for a in answers]

    def lookups(self, name: str) -> int:
        return self.calls.count(name)

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        self.calls.append(name)
        sequence = self.answers.get(name)
        if not sequence:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answer = sequence.pop(0) if len(sequence) > 1 else sequence[0]
        result: list[Any] = []
        for address in answer:
            if ":" in address:
                result.append(
                    (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, int(port), 0, 0))
                )
            else:
                result.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port))))
        return result


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeResolver:
    resolver = FakeResolver()
    monkeypatch.setattr(socket, "getaddrinfo", resolver.getaddrinfo)
    return resolver


@dataclass
class FetchSettings:
    settings: Any
    loopback_ca: LoopbackCA

    def allow(self, *entries: str) -> None:
        """Let these hosts through the fetcher and trust the test CA."""
        self.settings.OPTOUT_FETCH_ALLOWED_HOSTS = list(entries)
        self.settings.OPTOUT_FETCH_CA_BUNDLE = str(self.loopback_ca.bundle)


@pytest.fixture
def fetch_settings(settings: Any, loopback_ca: LoopbackCA) -> FetchSettings:
    settings.OPTOUT_FETCH_ALLOWED_HOSTS = []
    settings.OPTOUT_FETCH_CA_BUNDLE = str(loopback_ca.bundle)
    return FetchSettings(settings, loopback_ca)
