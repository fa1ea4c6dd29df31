"""A local RFC 3161 timestamp authority for tests, built on `openssl ts` (reliability.md V9).

A test CA signs a TSA certificate whose extended key usage is timeStamping (critical, as
RFC 3161 requires); a loopback HTTP server answers `application/timestamp-query` POSTs by
running `openssl ts -reply`. The fetcher is allowed to reach it through
OPTOUT_FETCH_ALLOWED_HOSTS, as a private deployment would allow its own TSA.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.servers import Conn, LoopbackServer

_CONFIG = """
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _usage(**granted: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{name: granted.get(name, False) for name in names})


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class Pki:
    folder: Path
    ca_pem: str
    other_ca_pem: str
    """A CA that did not sign the TSA: trusting only it must make every token fail."""


def _make_pki(folder: Path) -> Pki:
    now = dt.datetime.now(dt.UTC)
    period = (now - dt.timedelta(days=1), now + dt.timedelta(days=30))

    def ca(common: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(common))
            .issuer_name(_name(common))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(period[0])
            .not_valid_after(period[1])
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
            .sign(key, hashes.SHA256())
        )
        return key, cert

    ca_key, ca_cert = ca("Optout Test TSA Root")
    _other_key, other_cert = ca("Someone Else's Root")

    def tsa() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("Optout Test TSA"))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(period[0])
            .not_valid_after(period[1])
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            # What C2PA's certificate profile also asks of a TSA (c2pa-rs checks it).
            .add_extension(_usage(digital_signature=True), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(ca_key, hashes.SHA256())
        )
        return key, cert

    def der(cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.DER)

    # OpenSSL writes the signer first, then the chain: a TSA certificate that sorts after
    # the CA's makes an answer with the chain break DER's SET OF order, as real ones do.
    tsa_key, tsa_cert = tsa()
    while der(tsa_cert) < der(ca_cert):
        tsa_key, tsa_cert = tsa()
    (folder / "ca.crt").write_bytes(_pem(ca_cert))
    (folder / "tsa.crt").write_bytes(_pem(tsa_cert))
    (folder / "tsa.key").write_bytes(
        tsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(_CONFIG.format(dir=folder))
    return Pki(folder, _pem(ca_cert).decode(), _pem(other_cert).decode())


@dataclass
class LocalTsa:
    pki: Pki
    server: LoopbackServer
    mode: str = "up"
    """``up``; ``error`` (HTTP 503); ``garbage`` (200, not a token); ``replay`` (the
    first token ever issued, whatever was asked)."""
    chain: bool = False
    """Answers carry the CA certificate after the TSA's (``openssl ts -reply -chain``)."""
    issued: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return self.server.url("/tsa")

    @property
    def ca_pem(self) -> str:
        return self.pki.ca_pem

    def requests(self) -> int:
        return self.server.hits("/tsa")

    def reply(self, query: bytes) -> bytes:
        folder = self.pki.folder
        with self.lock:
            (folder / "query.tsq").write_bytes(query)
            subprocess.run(
                [
                    "openssl",
                    "ts",
                    "-reply",
                    "-config",
                    str(folder / "tsa.cnf"),
                    "-queryfile",
                    str(folder / "query.tsq"),
                    "-out",
                    str(folder / "reply.tsr"),
                    *(["-chain", str(folder / "ca.crt")] if self.chain else []),
                ],
                check=True,
                capture_output=True,
                timeout=30,
            )
            token = (folder / "reply.tsr").read_bytes()
            self.issued.append(token)
            return token

    def handle(self, conn: Conn) -> None:
        request = conn.request
        body = request.raw.split(b"\r\n\r\n", 1)[1]
        length = int(request.header("content-length") or 0)
        while len(body) < length:
            chunk = conn.sock.recv(65536)
            if not chunk:
                break
            body += chunk
        if self.mode == "error":
            conn.respond(b"busy", status=503, headers=[("Content-Type", "text/plain")])
            return
        if self.mode == "garbage":
            conn.respond(b"<html>hello</html>", headers=[("Content-Type", "text/html")])
            return
        if request.method != "POST" or request.header("content-type") != (
            "application/timestamp-query"
        ):
            conn.respond(b"bad request", status=400, headers=[("Content-Type", "text/plain")])
            return
        token = self.issued[0] if self.mode == "replay" and self.issued else self.reply(body)
        conn.respond(token, headers=[("Content-Type", "application/timestamp-reply")])


@pytest.fixture(scope="session")
def tsa_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return _make_pki(tmp_path_factory.mktemp("tsa"))


@pytest.fixture
def local_tsa(tsa_pki: Pki, settings: Any) -> Iterator[LocalTsa]:
    server = LoopbackServer()
    tsa = LocalTsa(pki=tsa_pki, server=server)
    server.route("/tsa", tsa.handle)
    with server:
        settings.OPTOUT_FETCH_ALLOWED_HOSTS = [f"127.0.0.1:{server.port}"]
        yield tsa


def openssl_verify(data: Path, token: Path, ca: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", "ts", "-verify", "-data", str(data), "-in", str(token), "-CAfile", str(ca)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture(scope="session")
def attacker_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A second, unrelated authority: what a forger would use to re-stamp a packet."""
    return _make_pki(tmp_path_factory.mktemp("attacker-tsa"))


def openssl_stamp(pki: Pki, data: bytes) -> bytes:
    """An RFC 3161 token for ``data`` from ``pki``'s authority, without any server."""
    folder = pki.folder
    (folder / "stamped.bin").write_bytes(data)
    for args in (
        ["-query", "-data", "stamped.bin", "-sha256", "-cert", "-out", "stamped.tsq"],
        ["-reply", "-config", "tsa.cnf", "-queryfile", "stamped.tsq", "-out", "stamped.tsr"],
    ):
        subprocess.run(
            ["openssl", "ts", *args], cwd=folder, check=True, capture_output=True, timeout=30
        )
    return (folder / "stamped.tsr").read_bytes()
