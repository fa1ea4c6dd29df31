"""Secrets kept at rest (a label's C2PA private key) are sealed with AES-256-GCM.

The key is derived (HKDF-SHA256) from ``OPTOUT_SEALING_KEYS``: the first seals, every one
is tried to open, so the deployment's key can be rotated (docs/security.md). The purpose
and the owner's id are bound as associated data, so a sealed value copied to another label
or put to another use does not open. Blobs are content-addressed and may sit in object
storage or backups; what they hold must be useless without the deployment's key.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MAGIC = b"OPTOUT-SEALED-1\n"
_NONCE_BYTES = 12


class SealError(ValueError):
    """The value is not sealed, or none of the configured keys opens it."""


def _aead(secret: str, purpose: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=f"optout sealing v1/{purpose}".encode(),
    ).derive(secret.encode())
    return AESGCM(key)


def _keys() -> list[str]:
    keys: list[str] = list(settings.OPTOUT_SEALING_KEYS)
    if not keys:
        raise SealError("No sealing key is configured (OPTOUT_SEALING_KEY).")
    return keys


def seal(data: bytes, *, purpose: str, owner: str) -> bytes:
    """``data`` sealed for ``purpose`` (e.g. "c2pa-key") and ``owner`` (e.g. a label's id)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aead(_keys()[0], purpose).encrypt(nonce, data, owner.encode())
    return MAGIC + nonce + sealed


def is_sealed(value: bytes) -> bool:
    return value.startswith(MAGIC)


def unseal(value: bytes, *, purpose: str, owner: str) -> bytes:
    if not is_sealed(value):
        raise SealError("The value is not sealed.")
    body = value[len(MAGIC) :]
    nonce, sealed = body[:_NONCE_BYTES], body[_NONCE_BYTES:]
    for secret in _keys():
        try:
            return _aead(secret, purpose).decrypt(nonce, sealed, owner.encode())
        except InvalidTag:
            continue
    raise SealError("None of the configured sealing keys opens this value.")
