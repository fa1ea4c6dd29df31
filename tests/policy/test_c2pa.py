"""C2PA signing with the cawg.training-mining assertion, and the reservation for tags."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from optout.lib.c2pa import (
    Parent,
    SigningError,
    SigningMaterial,
    build_manifest,
    inspect_credential,
    read_manifest,
    sign_audio,
)
from optout.lib.sealing import SealError, unseal
from optout.models import LedgerEntry
from optout.policy.compilers import PolicySpec, Stance, Use
from optout.policy.compilers.c2pa import (
    legacy_training_mining_assertion,
    training_mining_assertion,
)
from optout.policy.services.policy import policy_approve, policy_draft_save
from optout.policy.services.signing import (
    c2pa_sign_for_label,
    reservation_for_embedding,
    signing_credential,
    signing_credential_set,
)
from optout.services.blobs import blob_open
from tests.audio import tone, wav_bytes
from tests.conftest import Team
from tests.evidence.tsa import LocalTsa
from tests.policy.cases import default_policy, licensable_partial_policy
from tests.policy.pki import c2pa_read, make_credential


def _tone(path: Path) -> Path:
    path.write_bytes(wav_bytes(tone()))
    return path


def test_the_assertion_states_each_cawg_use_of_the_policy() -> None:
    entries = training_mining_assertion(default_policy(), constraint_info="x")["data"]["entries"]
    assert entries == {
        key: {"use": "notAllowed"}
        for key in (
            "cawg.data_mining",
            "cawg.ai_inference",
            "cawg.ai_generative_training",
            "cawg.ai_training",
        )
    }
    licensable = training_mining_assertion(
        licensable_partial_policy(), constraint_info="https://label.example/licensing"
    )
    assert licensable["label"] == "cawg.training-mining"
    assert licensable["data"]["entries"]["cawg.ai_training"] == {
        "use": "constrained",
        "constraint_info": "https://label.example/licensing",
    }
    stances = dict.fromkeys(Use, Stance.ALLOWED)
    allowed = PolicySpec(
        version=1, effective_date=date(2026, 1, 1), stances=stances, blocked_purposes=frozenset()
    )
    assert {
        e["use"]
        for e in training_mining_assertion(allowed, constraint_info="x")["data"]["entries"].values()
    } == {"allowed"}


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3"])
def test_it_signs_audio_that_readers_validate(tmp_path: Path, fmt: str) -> None:
    source = _tone(tmp_path / "tone.wav")
    if fmt != "wav":
        if shutil.which("ffmpeg") is None:
            pytest.skip("ffmpeg is not installed")
        encoded = tmp_path / f"tone.{fmt}"
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-i", str(source), str(encoded)], check=True
        )
        source = encoded
    pki = make_credential()
    manifest = build_manifest(
        title=f"tone.{fmt}",
        assertions=[
            training_mining_assertion(default_policy(), constraint_info="https://x.example")
        ],
    )
    dest = tmp_path / f"signed.{fmt}"
    media_type = {"wav": "audio/wav", "flac": "audio/flac", "mp3": "audio/mpeg"}[fmt]
    sign_audio(
        source=source,
        dest=dest,
        media_type=media_type,
        material=SigningMaterial(pki.chain_pem, pki.key_pem, "es256"),
        manifest=manifest,
    )
    report = read_manifest(dest)
    assert report is not None
    assert report.validation_state == "Valid"
    assert "signingCredential.untrusted" in report.statuses
    entries = report.assertions["cawg.training-mining"]["entries"]
    assert entries["cawg.ai_training"] == {"use": "notAllowed"}
    assert read_manifest(source) is None


def test_a_timestamped_signature_outlives_its_certificate_and_names_the_master(
    tmp_path: Path, local_tsa: LocalTsa
) -> None:
    master = _tone(tmp_path / "master.wav")
    copy = tmp_path / "copy.wav"
    shutil.copyfile(master, copy)
    with open(copy, "ab") as out:
        out.write(b"LIST\x0c\x00\x00\x00INFOICOP\x00\x00\x00\x00")  # "the metadata"
    credential = make_credential(valid_for=timedelta(seconds=4))
    cawg = training_mining_assertion(default_policy(), constraint_info="https://x.example")
    manifest = build_manifest(
        title="copy.wav",
        assertions=[cawg, legacy_training_mining_assertion(cawg)],
        edit="Rights metadata written",
    )
    signed = {}
    for name, tsa_url in (("stamped", local_tsa.url), ("unstamped", "")):
        signed[name] = tmp_path / f"{name}.wav"
        sign_audio(
            source=copy,
            dest=signed[name],
            media_type="audio/wav",
            material=SigningMaterial(credential.chain_pem, credential.key_pem, "es256"),
            manifest=manifest,
            parent=Parent(path=master, title="master.wav"),
            tsa_url=tsa_url,
        )
    assert local_tsa.requests() == 1
    expiry = credential.leaf.not_valid_after_utc
    time.sleep(max(0.0, (expiry - datetime.now(UTC)).total_seconds()) + 1.5)
    assert datetime.now(UTC) > expiry
    trust = [credential.ca_pem, local_tsa.ca_pem.encode()]

    stamped = c2pa_read(signed["stamped"], "audio/wav", trust=trust)
    codes = {s["code"] for s in stamped["results"].get("success", [])}
    assert stamped["results"].get("failure", []) == []
    assert stamped["state"] == "Trusted"
    assert {"timeStamp.validated", "timeStamp.trusted", "signingCredential.trusted"} <= codes
    # Without the timestamp the same signature reads as made with an expired certificate.
    unstamped = c2pa_read(signed["unstamped"], "audio/wav", trust=trust)
    assert unstamped["state"] == "Invalid"
    assert "signingCredential.expired" in {s["code"] for s in unstamped["results"]["failure"]}

    active = stamped["active"]
    (parent,) = active["ingredients"]
    assert parent["title"] == "master.wav" and parent["relationship"] == "parentOf"
    assertions = {a["label"]: a["data"] for a in active["assertions"]}
    opened, edited = assertions["c2pa.actions.v2"]["actions"]
    assert opened["action"] == "c2pa.opened" and edited["action"] == "c2pa.edited"
    (link,) = opened["parameters"]["ingredients"]
    assert link["url"].endswith("c2pa.ingredient.v3") and link["hash"]
    assert "assertion.hashedURI.match" in codes
    assert "c2pa.created" not in json.dumps(active)
    # Both labels of the training-and-data-mining assertion, with the same stances.
    assert assertions["cawg.training-mining"]["entries"]["cawg.ai_training"]["use"] == (
        "notAllowed"
    )
    assert assertions["c2pa.training-mining"]["entries"] == {
        key.replace("cawg.", "c2pa."): entry
        for key, entry in assertions["cawg.training-mining"]["entries"].items()
    }


@pytest.mark.parametrize(
    ("media_type", "tsa_url", "message"),
    [
        ("audio/ogg", "", "not audio/ogg"),
        # Not on the fetcher's allowlist: refused before anything is sent.
        ("audio/wav", "http://127.0.0.1:9/tsa", "refused"),
    ],
)
def test_what_cannot_be_signed_is_refused_and_writes_nothing(
    tmp_path: Path, settings: Any, media_type: str, tsa_url: str, message: str
) -> None:
    settings.OPTOUT_FETCH_ALLOWED_HOSTS = []
    pki = make_credential()
    with pytest.raises(SigningError, match=message):
        sign_audio(
            source=_tone(tmp_path / "t.wav"),
            dest=tmp_path / "signed",
            media_type=media_type,
            material=SigningMaterial(pki.chain_pem, pki.key_pem, "es256"),
            manifest=build_manifest(title="t", assertions=[]),
            tsa_url=tsa_url,
        )
    assert not (tmp_path / "signed").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"self_signed": True}, "self-signed"),
        ({"leaf_is_ca": True}, "CA certificate"),
        ({"days": -2}, "not valid today"),
    ],
)
def test_unusable_credentials_are_refused_with_a_reason(
    kwargs: dict[str, object], message: str
) -> None:
    pki = make_credential(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(SigningError, match=message):
        inspect_credential(pki.chain_pem, pki.key_pem)


def test_a_key_of_another_certificate_or_garbage_is_refused() -> None:
    one, two = make_credential(), make_credential()
    with pytest.raises(SigningError, match="does not belong"):
        inspect_credential(one.chain_pem, two.key_pem)
    with pytest.raises(SigningError, match="not a PEM certificate"):
        inspect_credential(b"hello", one.key_pem)
    with pytest.raises(SigningError, match="not an unencrypted PEM private key"):
        inspect_credential(one.chain_pem, b"-----BEGIN PRIVATE KEY-----\nxx\n")


def test_the_label_signs_with_its_credential_and_its_policy(
    team: Team, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    source = _tone(tmp_path / "master.wav")
    dest = tmp_path / "tagged.wav"
    assert not c2pa_sign_for_label(
        label=team.label,
        source=source,
        dest=dest,
        media_type="audio/wav",
        title="Master",
        parent=Parent(path=source, title="master.wav"),
    )
    assert not dest.exists()
    pki = make_credential()
    credential = signing_credential_set(
        label=team.label,
        actor=team.owner,
        cert_chain_pem=pki.chain_pem,
        private_key_pem=pki.key_pem,
    )
    assert credential.subject.startswith("O=Optout tests,CN=Label A signing") or (
        "Label A signing" in credential.subject
    )
    stances = {**{u.value: "reserved" for u in Use}, "search": "allowed", "tdm": "licensable"}
    policy_approve(
        draft=policy_draft_save(
            label=team.label,
            actor=team.rights,
            values={"stances": stances, "contact_email": "licensing@label-a.test"},
        ),
        actor=team.owner,
    )
    assert c2pa_sign_for_label(
        label=team.label,
        source=source,
        dest=dest,
        media_type="audio/wav",
        title="Master",
        parent=Parent(path=source, title="master.wav"),
    )
    report = read_manifest(dest)
    assert report is not None and report.validation_state == "Valid"
    mining = report.assertions["cawg.training-mining"]["entries"]["cawg.data_mining"]
    assert mining["use"] == "constrained" and mining["constraint_info"].endswith("/terms/")
    key_text = pki.key_pem.decode()
    body = key_text.split("-----")[2].strip().replace("\n", "")[:40]
    for entry in LedgerEntry.objects.for_label(team.label):
        assert body not in str(entry.data)
    assert body not in caplog.text
    assert "private_key_pem" not in repr(SigningMaterial(pki.chain_pem, pki.key_pem, "es256"))


def test_a_bad_upload_is_refused_with_a_field_error_and_stores_nothing(team: Team) -> None:
    pki = make_credential(self_signed=True)
    with pytest.raises(ValidationError, match="self-signed"):
        signing_credential_set(
            label=team.label,
            actor=team.owner,
            cert_chain_pem=pki.chain_pem,
            private_key_pem=pki.key_pem,
        )
    assert signing_credential(label=team.label) is None


def test_the_reservation_for_embedding_follows_the_policy_in_force(team: Team) -> None:
    embedding = reservation_for_embedding(label=team.label)
    assert embedding is not None
    note, terms_url, contact = embedding
    assert note.startswith(
        "All rights reserved. No AI/ML training, text and data mining, AI "
        "input (RAG), voice cloning or dataset resale without a licence"
    )
    assert "Art. 4(3) Directive (EU) 2019/790" in note
    assert note.isascii() and len(note) <= 256
    assert terms_url.endswith("/s/label-a/terms/") and contact == terms_url
    team.label.terms_url = "https://label-a.test/ai-terms"
    team.label.contact_email = "rights@label-a.test"
    team.label.save()
    embedding = reservation_for_embedding(label=team.label)
    assert embedding is not None
    assert embedding.terms_url == "https://label-a.test/ai-terms"
    assert embedding.contact == "rights@label-a.test"


def test_the_signing_page_by_role(team: Team) -> None:
    pki = make_credential()
    url = reverse("policy:signing", args=["label-a"])

    def upload() -> dict[str, SimpleUploadedFile]:
        return {
            "certificate": SimpleUploadedFile("chain.pem", pki.chain_pem),
            "private_key": SimpleUploadedFile("key.pem", pki.key_pem),
        }

    assert team.client_for(team.rights).post(url, upload()).status_code == 403
    assert team.client_for(team.owner).post(url, upload()).status_code == 302
    page = team.client_for(team.viewer).get(url).content.decode()
    assert "Label A signing" in page and "PRIVATE KEY" not in page
    bad = team.client_for(team.owner).post(
        url,
        {
            "certificate": SimpleUploadedFile("chain.pem", b"nope"),
            "private_key": SimpleUploadedFile("key.pem", pki.key_pem),
        },
    )
    assert bad.status_code == 400 and "not a PEM certificate chain" in bad.content.decode()
    remove = reverse("policy:signing_remove", args=["label-a"])
    assert team.client_for(team.owner).post(remove).status_code == 302
    assert signing_credential(label=team.label) is None


def _stored_bytes(blob) -> bytes:
    with blob_open(blob) as handle:
        data: bytes = handle.read()
    return data


def test_the_private_key_is_sealed_at_rest_and_survives_a_key_rotation(
    team: Team, tmp_path: Path, settings
) -> None:
    source = _tone(tmp_path / "master.wav")
    pki = make_credential()
    settings.OPTOUT_SEALING_KEYS = ["first-sealing-key"]
    credential = signing_credential_set(
        label=team.label,
        actor=team.owner,
        cert_chain_pem=pki.chain_pem,
        private_key_pem=pki.key_pem,
    )
    stored = _stored_bytes(credential.key_blob)
    assert stored.startswith(b"OPTOUT-SEALED-1\n")
    assert b"PRIVATE KEY" not in stored and pki.key_pem not in stored
    # A sealed key is bound to its label: copied elsewhere it does not open.
    with pytest.raises(SealError):
        unseal(stored, purpose="c2pa-signing-key", owner=str(team.other_label.code))

    policy_approve(
        draft=policy_draft_save(
            label=team.label, actor=team.rights, values={"contact_email": "licensing@label-a.test"}
        ),
        actor=team.owner,
    )
    # Rotation: a new key seals, the old one still opens what it sealed.
    settings.OPTOUT_SEALING_KEYS = ["second-sealing-key", "first-sealing-key"]
    assert c2pa_sign_for_label(
        label=team.label,
        source=source,
        dest=tmp_path / "a.wav",
        media_type="audio/wav",
        title="Master",
        parent=Parent(path=source, title="master.wav"),
    )
    # Without the key that sealed it, signing fails with a reason and writes nothing.
    settings.OPTOUT_SEALING_KEYS = ["second-sealing-key"]
    with pytest.raises(ValidationError, match="cannot be opened with this server's sealing key"):
        c2pa_sign_for_label(
            label=team.label,
            source=source,
            dest=tmp_path / "b.wav",
            media_type="audio/wav",
            title="Master",
            parent=Parent(path=source, title="master.wav"),
        )
    assert not (tmp_path / "b.wav").exists()
