"""What the masters carry: the reservation for tags, and C2PA signing with the label's
credential. The catalog's tagged-copy download calls these (the catalog is a higher
layer; it imports this module)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from optout.lib.c2pa import (
    Parent,
    SigningError,
    SigningMaterial,
    build_manifest,
    inspect_credential,
    sign_audio,
)
from optout.lib.sealing import SealError, seal, unseal
from optout.models import Label, User
from optout.policy.compilers import Use
from optout.policy.compilers.c2pa import (
    legacy_training_mining_assertion,
    training_mining_assertion,
)
from optout.policy.models import SigningCredential
from optout.policy.services.policy import label_facts, policy_current, policy_spec
from optout.services.blobs import blob_open, blob_store_bytes
from optout.services.ledger import ledger_append

# Short English names, ASCII only: the note also goes into BWF bext (256 ASCII chars).
_NOTE_NAMES: tuple[tuple[tuple[Use, ...], str], ...] = (
    ((Use.AI_TRAIN, Use.GENAI_TRAIN), "AI/ML training"),
    ((Use.TDM,), "text and data mining"),
    ((Use.AI_INPUT,), "AI input (RAG)"),
    ((Use.VOICE,), "voice cloning"),
    ((Use.DATASET_RESALE,), "dataset resale"),
)
_MAX_NOTE = 256
_KEY_PURPOSE = "c2pa-signing-key"


class Embedding(NamedTuple):
    note: str
    terms_url: str
    contact: str


def reservation_for_embedding(*, label: Label) -> Embedding | None:
    """The reservation note, terms URL and licensing contact of the policy in force,
    for the tags of tagged copies; None while no policy is in force."""
    current = policy_current(label=label)
    if current is None:
        return None
    spec = policy_spec(current)
    facts = label_facts(label=label, version=current)
    contact = spec.contact_url or facts.contact_email_for(spec) or facts.effective_terms_url
    restricted = [name for uses, name in _NOTE_NAMES if spec.stance(*uses).restricts]
    if restricted:
        listed = (
            ", ".join(restricted[:-1]) + (" or " if len(restricted) > 1 else "") + restricted[-1]
        )
        note = (
            f"All rights reserved. No {listed} without a licence "
            f"(Art. 4(3) Directive (EU) 2019/790). Licensing: {contact}"
        )
    else:
        note = f"All rights reserved. Licensing: {contact}"
    if len(note) > _MAX_NOTE:
        note = f"All rights reserved, incl. AI and TDM uses. Licensing: {contact}"[:_MAX_NOTE]
    return Embedding(
        note=note.encode("ascii", "replace").decode("ascii"),
        terms_url=facts.effective_terms_url,
        contact=contact,
    )


def signing_credential(*, label: Label) -> SigningCredential | None:
    return SigningCredential.objects.for_label(label).filter(is_active=True).first()


@transaction.atomic
def signing_credential_set(
    *, label: Label, actor: User, cert_chain_pem: bytes, private_key_pem: bytes
) -> SigningCredential:
    """Check and store a certificate chain and key; the previous credential is retired."""
    try:
        info = inspect_credential(cert_chain_pem, private_key_pem)
    except SigningError as exc:
        raise ValidationError(str(exc)) from None
    cert_blob = blob_store_bytes(
        label=label, data=cert_chain_pem, actor=actor, media_type="application/x-pem-file"
    )
    # The key is sealed before it reaches storage: blobs may live in object storage and
    # backups, and the sealed bytes are useless without this deployment's sealing key.
    key_blob = blob_store_bytes(
        label=label,
        data=seal(private_key_pem, purpose=_KEY_PURPOSE, owner=str(label.code)),
        actor=actor,
        media_type="application/octet-stream",
    )
    SigningCredential.objects.for_label(label).filter(is_active=True).update(is_active=False)
    credential: SigningCredential = SigningCredential.objects.create(
        label=label,
        cert_blob=cert_blob,
        key_blob=key_blob,
        alg=info.alg,
        subject=info.subject[:500],
        issuer=info.issuer[:500],
        not_after=info.not_after,
        fingerprint=info.fingerprint,
        created_by=actor,
    )
    ledger_append(
        label=label,
        actor=actor,
        action="signing.configured",
        subject=credential,
        blob=cert_blob,
        data={
            "subject": credential.subject,
            "issuer": credential.issuer,
            "fingerprint": info.fingerprint,
            "alg": info.alg,
            "not_after": info.not_after.date().isoformat(),
        },
    )
    return credential


@transaction.atomic
def signing_credential_remove(*, credential: SigningCredential, actor: User) -> None:
    SigningCredential.objects.for_label(credential.label).filter(pk=credential.pk).update(
        is_active=False
    )
    ledger_append(
        label=credential.label,
        actor=actor,
        action="signing.removed",
        subject=credential,
        data={"fingerprint": credential.fingerprint},
    )


def _material(credential: SigningCredential) -> SigningMaterial:
    with blob_open(credential.cert_blob) as cert, blob_open(credential.key_blob) as key:
        cert_chain_pem, sealed_key = cert.read(), key.read()
    try:
        private_key_pem = unseal(sealed_key, purpose=_KEY_PURPOSE, owner=str(credential.label.code))
    except SealError:
        raise SigningError(
            _(
                "The signing key cannot be opened with this server's sealing key "
                "(OPTOUT_SEALING_KEY changed?). Upload the credential again."
            )
        ) from None
    return SigningMaterial(
        cert_chain_pem=cert_chain_pem, private_key_pem=private_key_pem, alg=credential.alg
    )


_TIMESTAMP_AUTHORITY: list[Callable[[Label], str]] = []


def register_signing_timestamp_authority(lookup: Callable[[Label], str]) -> None:
    """The app that keeps a label's TSA settings (evidence) says where its TSA is."""
    _TIMESTAMP_AUTHORITY[:] = [lookup]


def c2pa_sign_for_label(
    *, label: Label, source: Path, dest: Path, media_type: str, title: str, parent: Parent
) -> bool:
    """Sign ``source``, a copy of ``parent`` with metadata written into it, into ``dest``
    with the label's credential and the training-and-data-mining assertions of the policy
    in force; timestamped by the label's TSA when it has one.

    Returns False (and writes nothing) when the label has no credential or no policy;
    raises ValidationError when signing fails.
    """
    credential = signing_credential(label=label)
    embedding = reservation_for_embedding(label=label)
    current = policy_current(label=label)
    if credential is None or embedding is None or current is None:
        return False
    assertion = training_mining_assertion(policy_spec(current), constraint_info=embedding.terms_url)
    manifest = build_manifest(
        title=title[:200],
        assertions=[assertion, legacy_training_mining_assertion(assertion)],
        edit="Rights metadata written into a copy of the master",
    )
    tsa_url = _TIMESTAMP_AUTHORITY[0](label) if _TIMESTAMP_AUTHORITY else ""
    try:
        sign_audio(
            source=source,
            dest=dest,
            media_type=media_type,
            material=_material(credential),
            manifest=manifest,
            parent=parent,
            tsa_url=tsa_url,
        )
    except SigningError as exc:
        raise ValidationError(str(exc)) from None
    return True
