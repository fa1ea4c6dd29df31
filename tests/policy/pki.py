"""A throw-away test CA and signing certificates, made with cryptography in the test."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_USAGE = {
    "content_commitment": False,
    "key_encipherment": False,
    "data_encipherment": False,
    "key_agreement": False,
    "encipher_only": False,
    "decipher_only": False,
}


@dataclass(frozen=True)
class Credential:
    chain_pem: bytes
    key_pem: bytes
    leaf: x509.Certificate
    ca_pem: bytes
    """The test CA, to trust in a reader (empty for a self-signed leaf)."""


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Optout tests"),
        ]
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_credential(
    *,
    common_name: str = "Label A signing",
    self_signed: bool = False,
    days: int = 30,
    leaf_is_ca: bool = False,
    valid_for: datetime.timedelta | None = None,
) -> Credential:
    """``valid_for`` (instead of ``days``): a leaf that expires that soon after now."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Optout test CA"))
        .issuer_name(_name("Optout test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, **_USAGE),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_name, issuer_key = (_name(common_name), key) if self_signed else (ca.subject, ca_key)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1 if days > 0 else 10 - days))
        .not_valid_after(now + (valid_for or datetime.timedelta(days=days)))
        .add_extension(x509.BasicConstraints(ca=leaf_is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **_USAGE),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )
    chain = _pem(leaf) + (b"" if self_signed else _pem(ca))
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return Credential(
        chain_pem=chain, key_pem=key_pem, leaf=leaf, ca_pem=b"" if self_signed else _pem(ca)
    )


def c2pa_read(path: Path, media_type: str, *, trust: list[bytes]) -> dict[str, Any]:
    """What c2pa-python's Reader (c2pa-rs) says of a file, trusting only ``trust`` (PEM):
    ``state``, the ``active`` manifest and its ``results`` (success/informational/failure).
    """
    import c2pa

    settings = c2pa.Settings.from_dict(
        {"verify": {"verify_trust": True}, "trust": {"trust_anchors": b"".join(trust).decode()}}
    )
    with open(path, "rb") as stream:
        reader = c2pa.Reader(media_type, stream, context=c2pa.Context(settings))
        try:
            data = json.loads(reader.json())
            state = str(reader.get_validation_state())
        finally:
            reader.close()
    return {
        "state": state,
        "active": data["manifests"][data["active_manifest"]],
        "results": data.get("validation_results", {}).get("activeManifest", {}),
    }
