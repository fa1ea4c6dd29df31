"""Signing audio files with a C2PA manifest (c2pa-python), and reading one back.

Model-free: the caller gives the file, the manifest's assertions and the signing
material. The private key only ever lives in memory here; it is never logged, and the
material's ``repr`` hides it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.utils.translation import gettext as _

from optout.lib.tsa import Relay, TsaError, tsa_relay

logger = logging.getLogger(__name__)

AUDIO_TYPES = {
    "audio/wav": "audio/wav",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/flac": "audio/flac",
    "audio/x-flac": "audio/flac",
    "audio/mpeg": "audio/mpeg",
    "audio/mp3": "audio/mpeg",
    "audio/mp4": "audio/mp4",
    "audio/x-m4a": "audio/mp4",
}
MAX_PEM_BYTES = 64 * 1024


class SigningError(ValueError):
    """The credential or the file cannot be used; the message says why, for the user."""


@dataclass(frozen=True)
class SigningMaterial:
    cert_chain_pem: bytes
    private_key_pem: bytes = field(repr=False)
    alg: str


@dataclass(frozen=True)
class CredentialInfo:
    alg: str
    subject: str
    issuer: str
    not_after: datetime
    fingerprint: str
    """SHA-256 of the leaf certificate (DER), hex."""


def _alg_for(key: Any) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}.get(
            key.curve.name, ""
        )
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    return ""


def _public_bytes(key: Any) -> bytes:
    return bytes(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def inspect_credential(cert_chain_pem: bytes, private_key_pem: bytes) -> CredentialInfo:
    """Check a certificate chain and key before they are stored; SigningError says what
    is wrong (without ever quoting the key)."""
    if len(cert_chain_pem) > MAX_PEM_BYTES or len(private_key_pem) > MAX_PEM_BYTES:
        raise SigningError(_("The certificate or key file is too large."))
    try:
        chain = x509.load_pem_x509_certificates(cert_chain_pem)
    except ValueError:
        raise SigningError(_("The certificate file is not a PEM certificate chain.")) from None
    try:
        key = serialization.load_pem_private_key(private_key_pem, password=None)
    except (ValueError, TypeError):
        raise SigningError(_("The key file is not an unencrypted PEM private key.")) from None
    leaf = chain[0]
    alg = _alg_for(key)
    if not alg:
        raise SigningError(_("Use an EC (P-256, P-384, P-521), Ed25519 or RSA key."))
    if _public_bytes(leaf.public_key()) != _public_bytes(key.public_key()):
        raise SigningError(_("The key does not belong to the first certificate of the chain."))
    try:
        constraints = leaf.extensions.get_extension_for_class(x509.BasicConstraints).value
        if constraints.ca:
            raise SigningError(
                _(
                    "The first certificate is a CA certificate; C2PA signs with an "
                    "end-entity certificate."
                )
            )
    except x509.ExtensionNotFound:
        pass
    if leaf.issuer == leaf.subject:
        raise SigningError(
            _(
                "The certificate is self-signed; C2PA needs one issued by a CA "
                "(include the CA certificates after it in the file)."
            )
        )
    now = datetime.now(UTC)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise SigningError(
            _("The certificate is not valid today (valid %(start)s to %(end)s).")
            % {"start": leaf.not_valid_before_utc.date(), "end": leaf.not_valid_after_utc.date()}
        )
    return CredentialInfo(
        alg=alg,
        subject=leaf.subject.rfc4514_string(),
        issuer=leaf.issuer.rfc4514_string(),
        not_after=leaf.not_valid_after_utc,
        fingerprint=leaf.fingerprint(hashes.SHA256()).hex(),
    )


PARENT = "parent"
"""The ingredient label a derived file's ``c2pa.opened`` action points at."""


def build_manifest(
    *,
    title: str,
    assertions: list[dict[str, Any]],
    generator: str = "optout",
    version: str = "1",
    edit: str = "",
) -> dict[str, Any]:
    """A manifest with the ``c2pa.actions`` assertion c2pa-rs requires first.

    With ``edit`` (what was changed), the file is derived from a parent ingredient that
    ``sign_audio`` adds: ``c2pa.opened`` (hash-bound to that ingredient) then ``c2pa.edited``.
    Without, it is a new digital capture (``c2pa.created``).
    """
    actions: list[dict[str, Any]] = (
        [
            {"action": "c2pa.opened", "parameters": {"ingredientIds": [PARENT]}},
            {"action": "c2pa.edited", "description": edit},
        ]
        if edit
        else [
            {
                "action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/"
                "digitalCapture",
            }
        ]
    )
    return {
        "claim_generator_info": [{"name": generator, "version": version}],
        "title": title,
        "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}, *assertions],
    }


@dataclass(frozen=True)
class Parent:
    """The file a signed copy was made from (e.g. the master a tagged copy copies)."""

    path: Path
    title: str


def sign_audio(
    *,
    source: Path,
    dest: Path,
    media_type: str,
    material: SigningMaterial,
    manifest: dict[str, Any],
    parent: Parent | None = None,
    tsa_url: str = "",
) -> None:
    """Write ``source`` with the signed manifest embedded to ``dest`` (a new file).

    Supports WAV, FLAC, MP3 and M4A; SigningError otherwise. ``parent`` (of the same media
    type) becomes the parent ingredient. With ``tsa_url`` the signature carries an RFC 3161
    timestamp from that TSA, asked through the safe fetcher, so it stays valid after the
    signing certificate expires; otherwise nothing leaves the machine.
    """
    kind = AUDIO_TYPES.get(media_type.split(";", 1)[0].strip().lower())
    if kind is None:
        raise SigningError(
            _("C2PA signing supports WAV, FLAC, MP3 and M4A, not %(type)s.") % {"type": media_type}
        )
    if not tsa_url:
        _sign(source, dest, kind, material, manifest, parent, None)
        return
    try:
        with tsa_relay(tsa_url) as relay:
            _sign(source, dest, kind, material, manifest, parent, relay)
    except TsaError as exc:
        raise SigningError(_("C2PA signing failed: %(reason)s") % {"reason": exc}) from None


def _sign(
    source: Path,
    dest: Path,
    kind: str,
    material: SigningMaterial,
    manifest: dict[str, Any],
    parent: Parent | None,
    relay: Relay | None,
) -> None:
    import c2pa  # a large native library: loaded only where a label signs

    info = c2pa.C2paSignerInfo(
        alg=material.alg.encode("ascii"),
        sign_cert=material.cert_chain_pem,
        private_key=material.private_key_pem,
        ta_url=relay.url.encode("ascii") if relay else None,
    )
    try:
        signer = c2pa.Signer.from_info(info)
        builder = c2pa.Builder(json.dumps(manifest))
        if parent is not None:
            with open(parent.path, "rb") as original:
                builder.add_ingredient(
                    {"title": parent.title, "relationship": "parentOf", "label": PARENT},
                    kind,
                    original,
                )
        with open(source, "rb") as src, open(dest, "w+b") as out:
            builder.sign(signer, kind, src, out)
    except c2pa.C2paError as exc:
        dest.unlink(missing_ok=True)
        # The library's message names the problem, never the key.
        logger.warning("C2PA signing of %s failed: %s", source.name, type(exc).__name__)
        reason = relay.errors[-1] if relay and relay.errors else str(exc)
        raise SigningError(_("C2PA signing failed: %(reason)s") % {"reason": reason}) from None


@dataclass(frozen=True)
class ManifestReport:
    validation_state: str
    assertions: dict[str, Any]
    """Label -> data of the active manifest's assertions."""
    statuses: list[str]


def read_manifest(path: Path) -> ManifestReport | None:
    """The active manifest of a file, or None when it carries none."""
    import c2pa  # a large native library: loaded only where a label signs

    try:
        reader = c2pa.Reader(str(path))
    except c2pa.C2paError:
        return None
    try:
        data = json.loads(reader.json())
        active = data["manifests"][data["active_manifest"]]
        return ManifestReport(
            validation_state=str(reader.get_validation_state()),
            assertions={a["label"]: a.get("data") for a in active.get("assertions", [])},
            statuses=[s.get("code", "") for s in data.get("validation_status", [])],
        )
    finally:
        reader.close()
