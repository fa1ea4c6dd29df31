"""One HTTP/1.1 exchange over a connection pinned to a checked address.

This is the only module in the project that opens outbound connections (a test scans
the code for any other). The host name is resolved exactly once per connection, every
answer is checked, and the socket connects to a checked address itself, never to the
name; TLS still sends the name as SNI and verifies the certificate against it. Proxy
settings in the environment are never read: nothing here consults them.

The request is written by hand so that the bytes recorded are the bytes sent. The
response head and the body framing (Content-Length, chunked) are read by the standard
library's ``http.client.HTTPResponse``, fed through a reader that enforces the deadline
and the caps on every read and keeps the head exactly as received.
"""

from __future__ import annotations

import http.client
import io
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Final, cast

from django.utils.translation import gettext_lazy as _

from optout.lib.fetch.addresses import REASONS, Allowlist, address_refusal, parse_ip
from optout.lib.fetch.decoding import (
    DecodeError,
    Decoder,
    content_encodings,
    make_decoder,
)
from optout.lib.fetch.errors import (
    BadResponse,
    ConnectionFailed,
    DnsFailed,
    FetchError,
    FetchTimeout,
    HostNotAllowed,
    TlsFailed,
    TooLarge,
)
from optout.lib.fetch.parsing import Target
from optout.lib.fetch.results import Body, Hop, Timings, TlsInfo

_READ_CHUNK: Final = 64 * 1024
_BUFFER: Final = 32 * 1024
_MAX_INFORMATIONAL: Final = 5
_ENCODING_DER: Final = 2  # ssl's private _ssl.ENCODING_DER


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_decoded_bytes: int
    max_header_bytes: int
    max_headers: int
    connect_timeout: float
    allow_partial: bool

    @property
    def wire_bytes(self) -> int:
        """Bytes read from one connection before it is cut off, whatever the framing.

        Generous for chunk framing, and it bounds trailers, which nothing else limits.
        """
        return self.max_header_bytes + 2 * self.max_bytes + 1024 * 1024


class Deadline:
    """The moment the whole fetch (every hop) must be over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def timeout(self, cap: float | None = None) -> float:
        """A socket timeout that ends no later than the deadline; raises once it passed."""
        remaining = self.remaining()
        if remaining <= 0:
            raise self.expired()
        return remaining if cap is None else min(cap, remaining)

    def expired(self) -> FetchTimeout:
        return FetchTimeout(
            _("The server did not finish answering within %(seconds)s seconds."),
            params={"seconds": _seconds(self.seconds)},
        )


def _seconds(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class _Address:
    family: int
    sockaddr: tuple[Any, ...]

    @property
    def ip(self) -> str:
        return str(self.sockaddr[0]).split("%", 1)[0]


def exchange(
    target: Target,
    *,
    method: str,
    headers: Sequence[tuple[str, str]],
    limits: Limits,
    deadline: Deadline,
    allowlist: Allowlist,
    request_body: bytes = b"",
) -> Hop:
    """Resolve, check, connect, send one request (and its body) and read its response."""
    started_at = datetime.now(UTC)
    start = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - start) * 1000)

    addresses = _addresses(target, deadline=deadline, allowlist=allowlist)
    resolved_ms = elapsed()
    sock, peer = _connect(addresses, target=target, limits=limits, deadline=deadline)
    connected_ms = elapsed()
    tls: TlsInfo | None = None
    try:
        if target.scheme == "https":
            sock, tls = _start_tls(sock, target=target, limits=limits, deadline=deadline)
        tls_ms = elapsed()
        request_head = _request_head(method, target.target, headers)
        _send(sock, request_head + request_body, deadline=deadline)
        reader = _SocketReader(sock, deadline=deadline, cap=limits.wire_bytes)
        head = _ResponseFile(io.BufferedReader(reader, _BUFFER), limits=limits)
        response = _read_head(head, method=method)
        headers_ms = elapsed()
        response_head = head.final_head()
        response_headers = _parse_headers(response_head)
        body = _read_body(response, headers=response_headers, limits=limits)
        hop = Hop(
            method=method,
            url=target.url,
            request_target=target.target,
            request_head=request_head,
            request_headers=tuple(headers),
            status=response.status,
            reason=response.reason,
            http_version="HTTP/1.0" if response.version == 10 else "HTTP/1.1",
            response_head=response_head,
            headers=response_headers,
            raw_body=body.raw,
            body=body.decoded,
            content_encoding=body.codings,
            peer_ip=peer.ip,
            peer_port=int(peer.sockaddr[1]),
            resolved=tuple(a.ip for a in addresses),
            tls=tls,
            started_at=started_at,
            timings=Timings(resolved_ms, connected_ms, tls_ms, headers_ms, elapsed()),
            wire_bytes=reader.count,
            truncated=bool(body.truncation),
            truncation=body.truncation,
            decode_error=body.decode_error,
        )
        if not limits.allow_partial:
            error = body.failure or _problem(body.truncation, body.decode_error, limits)
            if error is not None:
                error.hops = (hop,)
                raise error
        return hop
    finally:
        sock.close()


# --- Resolving and checking ---------------------------------------------------------------


def _addresses(target: Target, *, deadline: Deadline, allowlist: Allowlist) -> list[_Address]:
    """The checked addresses to try, from the URL itself or from one DNS lookup."""
    if target.ip is not None:
        family = socket.AF_INET6 if target.ip.version == 6 else socket.AF_INET
        sockaddr: tuple[Any, ...] = (
            (target.ip.compressed, target.port, 0, 0)
            if family == socket.AF_INET6
            else (target.ip.compressed, target.port)
        )
        return [_Address(family, sockaddr)]
    answers = _resolve(target.host, target.port, deadline=deadline)
    addresses: list[_Address] = []
    seen: set[str] = set()
    for answer_family, answer_sockaddr in answers:
        address = _Address(answer_family, answer_sockaddr)
        if address.ip not in seen:
            seen.add(address.ip)
            addresses.append(address)
    if not addresses:
        raise DnsFailed(
            _("The host name %(host)s has no address."),
            url=target.url,
            params={"host": target.host},
        )
    if allowlist.allows_name(target.host):
        return addresses
    for address in addresses:
        ip = parse_ip(address.ip)
        reason = address_refusal(ip)
        if reason is not None:
            # One refused answer refuses the name: the resolver, not us, would pick.
            raise HostNotAllowed(
                _("%(host)s resolves to %(reason)s (%(address)s)."),
                url=target.url,
                params={"host": target.host, "reason": REASONS[reason], "address": ip},
                reason=reason,
                address=ip.compressed,
            )
    return addresses


def resolve_checked(target: Target, *, deadline: Deadline, allowlist: Allowlist) -> None:
    """The DNS lookup and address checks of a connection, without connecting."""
    _addresses(target, deadline=deadline, allowlist=allowlist)


def _resolve(host: str, port: int, *, deadline: Deadline) -> list[tuple[int, tuple[Any, ...]]]:
    """One ``getaddrinfo`` call, bounded by the deadline (the C resolver has its own idea
    of time, so it runs in a thread that is abandoned if it takes too long)."""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def lookup() -> None:
        try:
            outcome["answers"] = socket.getaddrinfo(
                host, port, 0, socket.SOCK_STREAM, socket.IPPROTO_TCP
            )
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=lookup, name="fetch-resolve", daemon=True).start()
    if not done.wait(deadline.timeout()):
        raise FetchTimeout(
            _("Looking up %(host)s took longer than the time allowed."), params={"host": host}
        )
    error = outcome.get("error")
    if error is not None:
        if isinstance(error, OSError | UnicodeError):
            raise DnsFailed(_("The host name %(host)s could not be found."), params={"host": host})
        raise error
    return [
        (family, tuple(sockaddr))
        for family, _type, _proto, _name, sockaddr in outcome["answers"]
        if family in (socket.AF_INET, socket.AF_INET6)
    ]


# --- Connecting ---------------------------------------------------------------------------


def _connect(
    addresses: list[_Address], *, target: Target, limits: Limits, deadline: Deadline
) -> tuple[socket.socket, _Address]:
    """Connect to the first checked address that answers; never to the name itself."""
    timed_out = False
    for address in addresses:
        sock = socket.socket(address.family, socket.SOCK_STREAM)
        try:
            sock.settimeout(deadline.timeout(limits.connect_timeout))
            sock.connect(address.sockaddr)
        except TimeoutError:
            sock.close()
            timed_out = True
            continue
        except OSError:
            sock.close()
            continue
        except BaseException:
            sock.close()
            raise
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, address
    if timed_out:
        raise FetchTimeout(
            _("Connecting to %(host)s took longer than %(seconds)s seconds."),
            url=target.url,
            params={"host": target.host, "seconds": _seconds(limits.connect_timeout)},
        )
    raise ConnectionFailed(
        _("Could not connect to %(host)s."), url=target.url, params={"host": target.host}
    )


@lru_cache(maxsize=8)
def ssl_context(ca_bundle: str = "") -> ssl.SSLContext:
    """System trust store, TLS 1.2 or newer, HTTP/1.1 only; plus ``ca_bundle`` if given."""
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


def _start_tls(
    sock: socket.socket, *, target: Target, limits: Limits, deadline: Deadline
) -> tuple[ssl.SSLSocket, TlsInfo]:
    from django.conf import settings

    context = ssl_context(getattr(settings, "OPTOUT_FETCH_CA_BUNDLE", "") or "")
    # For an IP URL the address goes in as server_hostname: Python then sends no SNI
    # and matches the certificate's IP addresses instead of its names.
    server_name = target.host
    try:
        sock.settimeout(deadline.timeout(limits.connect_timeout))
        tls_sock = context.wrap_socket(sock, server_hostname=server_name)
    except ssl.SSLCertVerificationError as exc:
        raise TlsFailed(
            _("The certificate of %(host)s could not be verified: %(detail)s."),
            url=target.url,
            params={"host": target.host, "detail": exc.verify_message or exc.reason},
        ) from None
    except ssl.SSLError as exc:
        raise TlsFailed(
            _("The secure (TLS) connection to %(host)s failed: %(detail)s."),
            url=target.url,
            params={"host": target.host, "detail": exc.reason or exc.__class__.__name__},
        ) from None
    except TimeoutError:
        raise FetchTimeout(
            _("The secure (TLS) connection to %(host)s took too long."),
            url=target.url,
            params={"host": target.host},
        ) from None
    except OSError:
        raise ConnectionFailed(
            _("The connection to %(host)s closed during the TLS handshake."),
            url=target.url,
            params={"host": target.host},
        ) from None
    sni = "" if target.ip is not None else server_name
    cipher = tls_sock.cipher()
    return tls_sock, TlsInfo(
        version=tls_sock.version() or "",
        cipher=cipher[0] if cipher else "",
        server_name=sni,
        peer_chain=_chain(tls_sock, "get_unverified_chain"),
        verified_chain=_chain(tls_sock, "get_verified_chain"),
    )


def _chain(tls_sock: ssl.SSLSocket, method: str) -> tuple[bytes, ...]:
    """DER certificates; public ``SSLSocket`` methods from Python 3.13, private before."""
    for owner in (tls_sock, getattr(tls_sock, "_sslobj", None)):
        getter = getattr(owner, method, None)
        if getter is not None:
            certificates = getter() or []
            return tuple(
                c if isinstance(c, bytes) else c.public_bytes(_ENCODING_DER) for c in certificates
            )
    leaf = tls_sock.getpeercert(binary_form=True)
    return (leaf,) if leaf else ()


# --- Request ------------------------------------------------------------------------------


def _request_head(method: str, request_target: str, headers: Sequence[tuple[str, str]]) -> bytes:
    lines = [f"{method} {request_target} HTTP/1.1"]
    lines.extend(f"{name}: {value}" for name, value in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _send(sock: socket.socket, data: bytes, *, deadline: Deadline) -> None:
    try:
        sock.settimeout(deadline.timeout())
        sock.sendall(data)
    except TimeoutError:
        raise deadline.expired() from None
    except OSError:
        raise ConnectionFailed(
            _("The server closed the connection before the request was sent.")
        ) from None


# --- Response -----------------------------------------------------------------------------


class _SocketReader(io.RawIOBase):
    """Every byte from the server passes here: deadline and size are checked per read."""

    def __init__(self, sock: socket.socket, *, deadline: Deadline, cap: int) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline
        self._cap = cap
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            self._sock.settimeout(self._deadline.timeout())
            received = self._sock.recv_into(buffer)
        except TimeoutError:
            raise self._deadline.expired() from None
        except OSError:
            raise ConnectionFailed(_("The server broke off the connection.")) from None
        self.count += received
        if self.count > self._cap:
            raise TooLarge(
                _("The response is larger than the limit of %(limit)s bytes."),
                params={"limit": self._cap},
            )
        return received


class _ResponseFile:
    """The file ``http.client`` reads from. While the head is read it keeps every line
    (so the head is recorded exactly as received) and enforces the header caps."""

    def __init__(self, source: io.BufferedReader, *, limits: Limits) -> None:
        self._source = source
        self._limits = limits
        self.head = bytearray()
        self.reading_head = True
        self._block_start = 0
        self._final_block: tuple[int, int] | None = None
        self._lines = 0

    def readline(self, limit: int = -1) -> bytes:
        if not self.reading_head:
            return self._source.readline(limit)
        room = self._limits.max_header_bytes - len(self.head)
        size = room + 1 if limit < 0 else min(limit, room + 1)
        line = self._source.readline(size)
        self.head += line
        if len(self.head) > self._limits.max_header_bytes:
            raise TooLarge(
                _("The response headers are larger than the limit of %(limit)s bytes."),
                params={"limit": self._limits.max_header_bytes},
            )
        if line in (b"\r\n", b"\n", b""):
            self._final_block = (self._block_start, len(self.head))
            self._block_start = len(self.head)
            self._lines = 0
        else:
            self._lines += 1
            if self._lines > self._limits.max_headers + 1:  # + the status line
                raise TooLarge(
                    _("The response has more than %(limit)s headers."),
                    params={"limit": self._limits.max_headers},
                )
        return line

    def final_head(self) -> bytes:
        """The head of the final response (informational 1xx heads left out)."""
        start, end = self._final_block or (self._block_start, len(self.head))
        return bytes(self.head[start:end])

    def read(self, size: int = -1) -> bytes:
        return self._source.read(size)

    def readinto(self, buffer: Any) -> int:
        return self._source.readinto(buffer)

    def read1(self, size: int = -1) -> bytes:
        return self._source.read1(size)

    def peek(self, size: int = 0) -> bytes:
        return self._source.peek(size)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        # The socket is closed by exchange(); http.client calls this at end of body.
        pass

    def makefile(self, *args: Any, **kwargs: Any) -> _ResponseFile:
        # http.client.HTTPResponse takes a socket and calls sock.makefile("rb").
        return self


def _read_head(head: _ResponseFile, *, method: str) -> http.client.HTTPResponse:
    try:
        for _attempt in range(_MAX_INFORMATIONAL + 1):
            response = http.client.HTTPResponse(cast(socket.socket, head), method=method)
            response.begin()
            # http.client skips "100 Continue" itself; other 1xx heads (103 Early Hints)
            # come back as responses of their own and the real one follows.
            if response.status == 101:
                raise BadResponse(_("The server switched protocols, which was not asked for."))
            if not 100 <= response.status < 200:
                head.reading_head = False
                return response
    except http.client.HTTPException as exc:
        raise BadResponse(
            _("The server sent a response that is not valid HTTP: %(detail)s."),
            params={"detail": exc.__class__.__name__},
        ) from None
    raise BadResponse(_("The server sent too many informational responses."))


_CONTENT_LENGTH = re.compile(r"[0-9]{1,19}")


def _parse_headers(head: bytes) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    for raw in head.split(b"\n")[1:]:
        line = raw[:-1] if raw.endswith(b"\r") else raw
        if not line:
            break
        if line[:1] in (b" ", b"\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip().decode('latin-1')}")
            continue
        name_bytes, sep, value_bytes = line.partition(b":")
        if sep:
            headers.append(
                (name_bytes.strip().decode("latin-1"), value_bytes.strip(b" \t").decode("latin-1"))
            )
    return tuple(headers)


@dataclass
class _BodyOutcome:
    raw: Body
    decoded: Body
    codings: tuple[str, ...]
    truncation: str = ""
    decode_error: str = ""
    failure: FetchError | None = None


def _read_body(
    response: http.client.HTTPResponse,
    *,
    headers: tuple[tuple[str, str], ...],
    limits: Limits,
) -> _BodyOutcome:
    """Read the body up to the caps, decoding as it arrives; never raises for the body
    itself, so the caller can keep what arrived before a problem."""
    lengths = {v.strip() for k, v in headers if k.lower() == "content-length"}
    if len(lengths) > 1 or any(not _CONTENT_LENGTH.fullmatch(v) for v in lengths):
        raise BadResponse(_("The server sent an invalid or conflicting Content-Length."))
    expected = response.length if not response.chunked else None
    codings = content_encodings([v for k, v in headers if k.lower() == "content-encoding"])
    raw = Body()
    outcome = _BodyOutcome(raw=raw, decoded=raw, codings=codings)
    decoder: Decoder | None = None
    try:
        decoder = make_decoder(codings)
    except DecodeError as exc:
        outcome.decode_error = str(exc)
    if decoder is not None:
        outcome.decoded = Body()
    decoded = outcome.decoded

    def take(pieces: Iterator[bytes]) -> bool:
        """Write decoded pieces; False once the decoded cap is reached."""
        for piece in pieces:
            room = limits.max_decoded_bytes - decoded.size
            if len(piece) > room:
                decoded.write(piece[:room])
                return False
            decoded.write(piece)
        return True

    try:
        while True:
            chunk = response.read(min(_READ_CHUNK, limits.max_bytes + 1 - raw.size))
            if not chunk:
                break
            if raw.size + len(chunk) > limits.max_bytes:
                raw.write(chunk[: limits.max_bytes - raw.size])
                outcome.truncation = "max_bytes"
                return outcome
            raw.write(chunk)
            if decoder is not None and not outcome.decode_error:
                try:
                    if not take(decoder.feed(chunk)):
                        outcome.truncation = "max_decoded_bytes"
                        return outcome
                except DecodeError as exc:
                    outcome.decode_error = str(exc)
    except FetchTimeout as exc:
        outcome.truncation, outcome.failure = "deadline", exc
        return outcome
    except TooLarge as exc:
        outcome.truncation, outcome.failure = "max_bytes", exc
        return outcome
    except ConnectionFailed as exc:
        outcome.truncation, outcome.failure = "incomplete", exc
        return outcome
    except (http.client.HTTPException, ValueError):
        outcome.truncation = "incomplete"
        return outcome
    if expected is not None and raw.size < expected:
        outcome.truncation = "incomplete"
    elif decoder is not None and not outcome.decode_error:
        try:
            if not take(decoder.finish()):
                outcome.truncation = "max_decoded_bytes"
        except DecodeError as exc:
            outcome.decode_error = str(exc)
    return outcome


def _problem(truncation: str, decode_error: str, limits: Limits) -> FetchError | None:
    if truncation == "max_bytes":
        return TooLarge(
            _("The response is larger than the limit of %(limit)s bytes."),
            params={"limit": limits.max_bytes},
        )
    if truncation == "max_decoded_bytes":
        return TooLarge(
            _("The decompressed response is larger than the limit of %(limit)s bytes."),
            params={"limit": limits.max_decoded_bytes},
        )
    if truncation == "incomplete":
        return BadResponse(_("The server closed the connection before the whole body arrived."))
    if decode_error:
        return BadResponse(
            _("The body could not be decompressed: %(detail)s."), params={"detail": decode_error}
        )
    return None


def reverse_dns_confirms(address: str, domains: Sequence[str]) -> bool:
    """Forward-confirmed reverse DNS: ``address`` names a host in one of ``domains`` whose
    own addresses include ``address`` (how Google, OpenAI and others tell operators to
    verify their crawlers). Lookups only, no connection; it lives here with every other
    name lookup so one module answers for what leaves the machine."""
    try:
        host = socket.gethostbyaddr(address)[0].rstrip(".").lower()
    except (OSError, UnicodeError):
        return False
    if not any(host == d or host.endswith("." + d) for d in domains):
        return False
    try:
        return address in {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return False
