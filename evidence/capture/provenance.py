"""The facts a capture's provenance record states besides the traffic itself."""

from __future__ import annotations

import platform
import ssl
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from optout.lib.version import optout_commit, optout_version

_PACKAGES = ("Django", "warcio", "playwright", "lxml", "cryptography")


def software_versions(*, browser: str = "") -> dict[str, str]:
    versions: dict[str, str] = {
        "optout": optout_version(),
        "optout_commit": optout_commit(),
        "python": platform.python_version(),
        "openssl": ssl.OPENSSL_VERSION,
    }
    for package in _PACKAGES:
        try:
            versions[package.lower()] = version(package)
        except PackageNotFoundError:
            versions[package.lower()] = "unknown"
    if browser:
        versions["browser"] = browser
    return versions


def _name(value: x509.Name) -> str:
    try:
        return value.rfc4514_string()
    except ValueError:
        return ""


def certificate_facts(der: bytes) -> dict[str, Any]:
    """Who a certificate names, who issued it, its validity and fingerprint, and its PEM."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    facts: dict[str, Any] = {"sha256": digest.finalize().hex()}
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        facts["error"] = "not a valid X.509 certificate"
        return facts
    facts.update(
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        serial_number=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        not_after=cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        facts["dns_names"] = names.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        facts["dns_names"] = []
    return facts
