"""RFC 3161 timestamps against a local `openssl ts` authority (reliability.md EVD-5)."""

from __future__ import annotations

import json
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

from evidence.models import Alert, Packet, Timestamp
from evidence.services.matters import matter_item_add
from evidence.services.settings import evidence_settings_update
from evidence.services.timestamps import (
    TimestampError,
    timestamp_attempt,
    timestamp_prepare,
    tsa_stamp,
)
from evidence.verifier import verify_packet
from optout.models import Job, LedgerAnchor, LedgerEntry
from optout.services.blobs import blob_open
from optout.services.jobs import job_execute
from optout.services.ledger import ledger_verify
from tests.conftest import Team
from tests.evidence.conftest import make_item, make_matter
from tests.evidence.packets import build_packet, extract, packet_file
from tests.evidence.tsa import LocalTsa, openssl_verify

pytestmark = pytest.mark.django_db


def _trust(tsa: LocalTsa, pem: str | None = None) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates((pem or tsa.ca_pem).encode())


def _configure(team: Team, tsa: LocalTsa, *, url: str | None = None, pem: str | None = None):
    return evidence_settings_update(
        label=team.label,
        actor=team.owner,
        tsa_url=url or tsa.url,
        tsa_certificates=pem or tsa.ca_pem,
    )


def test_a_token_verifies_with_rfc3161_client_and_openssl_and_not_after_one_byte(
    local_tsa: LocalTsa, tmp_path: Path
) -> None:
    data = b'{"manifest": "of a packet"}\n'
    result = tsa_stamp(url=local_tsa.url, certificates=_trust(local_tsa), data=data)
    assert local_tsa.requests() == 1
    assert abs((datetime.now(UTC) - result.gen_time).total_seconds()) <= 2
    assert result.nonce is not None and result.serial_number

    response = decode_timestamp_response(result.token)
    verifier = VerifierBuilder(roots=_trust(local_tsa)).build()
    assert verifier.verify_message(response, data)
    tampered = bytearray(data)
    tampered[3] ^= 0x01
    with pytest.raises(VerificationError):
        verifier.verify_message(response, bytes(tampered))

    (tmp_path / "data").write_bytes(data)
    (tmp_path / "tampered").write_bytes(bytes(tampered))
    (tmp_path / "token.tsr").write_bytes(result.token)
    (tmp_path / "ca.pem").write_text(local_tsa.ca_pem)
    good = openssl_verify(tmp_path / "data", tmp_path / "token.tsr", tmp_path / "ca.pem")
    assert good.returncode == 0 and "Verification: OK" in good.stdout
    bad = openssl_verify(tmp_path / "tampered", tmp_path / "token.tsr", tmp_path / "ca.pem")
    assert bad.returncode != 0 and "message imprint mismatch" in bad.stdout + bad.stderr


def test_an_answer_with_the_certificate_chain_is_accepted_and_kept_as_received(
    local_tsa: LocalTsa, tmp_path: Path
) -> None:
    local_tsa.chain = True
    data = b'{"manifest": "stamped by a TSA that sends its chain"}\n'
    result = tsa_stamp(url=local_tsa.url, certificates=_trust(local_tsa), data=data)
    assert result.token == local_tsa.issued[-1]
    # As sent, the certificate set is in chain order, not DER order: a strict parser refuses.
    with pytest.raises(ValueError, match="InvalidSetOrdering"):
        decode_timestamp_response(result.token)

    (tmp_path / "data").write_bytes(data)
    (tmp_path / "token.tsr").write_bytes(result.token)
    (tmp_path / "ca.pem").write_text(local_tsa.ca_pem)
    shown = subprocess.run(
        ["openssl", "ts", "-reply", "-in", str(tmp_path / "token.tsr"), "-token_out"],
        capture_output=True,
        check=True,
    ).stdout
    certificates = subprocess.run(
        ["openssl", "pkcs7", "-inform", "DER", "-print_certs", "-noout"],
        input=shown,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "CN = Optout Test TSA Root" in certificates
    good = openssl_verify(tmp_path / "data", tmp_path / "token.tsr", tmp_path / "ca.pem")
    assert good.returncode == 0 and "Verification: OK" in good.stdout


@pytest.mark.parametrize(
    ("mode", "trust_other_ca", "reason"),
    [
        ("up", True, "does not verify"),
        ("replay", False, "Nonce mismatch"),
        ("error", False, "HTTP 503"),
        ("garbage", False, "not a timestamp"),
    ],
)
def test_a_bad_answer_never_counts_as_a_timestamp(
    team: Team, local_tsa: LocalTsa, mode: str, trust_other_ca: bool, reason: str
) -> None:
    data = b"the manifest"
    if mode == "replay":
        tsa_stamp(url=local_tsa.url, certificates=_trust(local_tsa), data=data)
    local_tsa.mode = mode
    _configure(team, local_tsa, pem=local_tsa.pki.other_ca_pem if trust_other_ca else None)
    subject = make_item(team.label, team.rights)
    stamp = timestamp_prepare(label=team.label, subject=subject, data=data, actor=None)
    assert stamp is not None
    assert timestamp_attempt(stamp=stamp, data=data) is False
    stamp.refresh_from_db()
    assert stamp.status == Timestamp.Status.PENDING and stamp.token is None
    assert stamp.attempts == 1 and reason in stamp.last_error
    assert not LedgerEntry.objects.for_label(team.label).filter(action="timestamp.stamped").exists()


def test_the_database_refuses_a_stamped_row_without_a_verified_token(team: Team) -> None:
    item = make_item(team.label, team.rights)
    with pytest.raises(IntegrityError), transaction.atomic():
        Timestamp.objects.create(
            label=team.label,
            subject_type="evidence.evidenceitem",
            subject_code=item.code,
            message_sha256="0" * 64,
            tsa_url="https://tsa.example/",
            status=Timestamp.Status.STAMPED,
        )


def test_an_unreachable_or_unallowed_tsa_is_a_clear_error(
    local_tsa: LocalTsa, settings: Any
) -> None:
    with pytest.raises(TimestampError, match="could not be reached"):
        tsa_stamp(url="http://127.0.0.1:9/tsa", certificates=_trust(local_tsa), data=b"x")
    settings.OPTOUT_FETCH_ALLOWED_HOSTS = []
    with pytest.raises(TimestampError, match="could not be reached"):
        tsa_stamp(url=local_tsa.url, certificates=_trust(local_tsa), data=b"x")
    assert local_tsa.requests() == 0


def _matter_with_item(team: Team):
    matter = make_matter(team.label, team.rights, title="Stamped matter")
    item = make_item(team.label, team.rights, data=b"a dated letter", name="letter.txt")
    matter_item_add(matter=matter, actor=team.rights, source_key="evidence", source_code=item.code)
    return matter


def test_a_packet_manifest_is_stamped_and_the_packet_verifies_offline(
    team: Team, local_tsa: LocalTsa, tmp_path: Path
) -> None:
    _configure(team, local_tsa)
    packet = build_packet(_matter_with_item(team), team.counsel)
    assert (packet.status, packet.seal) == (Packet.Status.READY, Packet.Seal.SEALED)
    stamp = Timestamp.objects.for_label(team.label).get()
    assert stamp.status == Timestamp.Status.STAMPED and stamp.verification["ok"] is True
    assert stamp.message_sha256 == packet.manifest_sha256
    path = packet_file(packet, tmp_path / "packet.zip")
    report = verify_packet(str(path))
    assert report.ok and report.timestamp == "verified by openssl", report.text()
    folder = extract(path, tmp_path / "unpacked")
    checked = openssl_verify(
        folder / "manifest.json",
        folder / "timestamps" / "manifest.json.tsr",
        folder / "timestamps" / "tsa-certificates.pem",
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_packet_build_timestamps_the_ledger_head_as_openssl_verifies(
    team: Team, local_tsa: LocalTsa, tmp_path: Path
) -> None:
    _configure(team, local_tsa)
    packet = build_packet(_matter_with_item(team), team.counsel)
    built = LedgerEntry.objects.for_label(team.label).get(action="packet.built")
    job = Job.objects.for_label(team.label).get(kind="ledger.anchor")
    job_execute(code=str(job.code))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    anchor = LedgerAnchor.objects.for_label(team.label).get()
    assert anchor.seq >= built.seq and packet.status == Packet.Status.READY
    assert ledger_verify(label=team.label).anchors_checked == 1
    # The stamped head, checked by an independent implementation.
    record, token = tmp_path / "head.json", tmp_path / "head.tsr"
    for blob, target in ((anchor.record, record), (anchor.token, token)):
        with blob_open(blob) as handle:
            target.write_bytes(handle.read())
    assert json.loads(record.read_bytes())["seq"] == anchor.seq
    (tmp_path / "ca.pem").write_text(local_tsa.ca_pem)
    checked = openssl_verify(record, token, tmp_path / "ca.pem")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_packet_built_while_the_tsa_is_down_is_sealed_later_never_before(
    team: Team, local_tsa: LocalTsa, tmp_path: Path
) -> None:
    _configure(team, local_tsa)
    local_tsa.mode = "error"
    packet = build_packet(_matter_with_item(team), team.counsel)
    assert (packet.status, packet.seal) == (Packet.Status.READY, Packet.Seal.PENDING)
    unsealed = packet_file(packet, tmp_path / "unsealed.zip")
    assert "timestamps/manifest.json.tsr" not in zipfile.ZipFile(unsealed).namelist()
    assert verify_packet(str(unsealed)).timestamp == "absent"
    stamp = Timestamp.objects.for_label(team.label).get()
    retry = Job.objects.for_label(team.label).get(kind="evidence.timestamp")
    assert stamp.job == retry and stamp.status == Timestamp.Status.PENDING

    job_execute(code=str(retry.code))
    retry.refresh_from_db()
    stamp.refresh_from_db()
    assert retry.status == Job.Status.PENDING and retry.not_before is not None
    assert stamp.status == Timestamp.Status.PENDING and stamp.attempts == 2
    packet.refresh_from_db()
    assert packet.seal == Packet.Seal.PENDING

    local_tsa.mode = "up"
    job_execute(code=str(retry.code))
    retry.refresh_from_db()
    packet.refresh_from_db()
    assert retry.status == Job.Status.DONE
    assert packet.seal == Packet.Seal.SEALED
    sealed = packet_file(packet, tmp_path / "sealed.zip")
    report = verify_packet(str(sealed))
    assert report.ok and report.timestamp == "verified by openssl", report.text()
    with zipfile.ZipFile(unsealed) as before, zipfile.ZipFile(sealed) as after:
        assert before.read("manifest.json") == after.read("manifest.json")
        assert json.loads(after.read("manifest.json"))["packet"] == str(packet.code)
    assert LedgerEntry.objects.for_label(team.label).filter(action="packet.sealed").count() == 1


def test_a_timestamp_that_never_comes_fails_with_an_alert_and_no_seal(
    team: Team, local_tsa: LocalTsa
) -> None:
    _configure(team, local_tsa)
    local_tsa.mode = "error"
    packet = build_packet(_matter_with_item(team), team.counsel)
    retry = Job.objects.for_label(team.label).get(kind="evidence.timestamp")
    Job.objects.for_label(team.label).filter(pk=retry.pk).update(max_attempts=2)
    job_execute(code=str(retry.code))
    job_execute(code=str(retry.code))
    retry.refresh_from_db()
    packet.refresh_from_db()
    stamp = Timestamp.objects.for_label(team.label).get()
    assert retry.status == Job.Status.FAILED
    assert stamp.status == Timestamp.Status.FAILED and stamp.token is None
    assert packet.seal == Packet.Seal.FAILED and packet.status == Packet.Status.READY
    alert = Alert.objects.for_label(team.label).get(kind=Alert.Kind.TIMESTAMP_FAILED)
    assert "HTTP 503" in alert.message
    assert local_tsa.requests() == 3


def test_settings_need_the_certificates_with_the_url(team: Team, local_tsa: LocalTsa) -> None:
    with pytest.raises(ValidationError) as exc:
        evidence_settings_update(
            label=team.label, actor=team.owner, tsa_url=local_tsa.url, tsa_certificates=""
        )
    assert "tsa_certificates" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        evidence_settings_update(
            label=team.label, actor=team.owner, tsa_url=local_tsa.url, tsa_certificates="junk"
        )
    assert "PEM" in exc.value.message_dict["tsa_certificates"][0]


def test_a_tsa_url_the_fetcher_would_refuse_is_refused_when_saved(
    team: Team, local_tsa: LocalTsa, settings: Any, fake_dns: Any
) -> None:
    """The fetcher's rules apply at save time, not five failed stamps later: a scheme it
    does not speak, a local name, a private literal address, a name resolving to one."""
    fake_dns.add("tsa.inside.example", "10.1.2.3")
    fake_dns.add("tsa.public.example", "93.184.215.14")
    refused = {
        "ftp://tsa.public.example/": "http",
        "http://localhost/tsa": "local",
        "http://192.168.1.10/tsa": "private",
        "http://tsa.inside.example/tsa": "10.1.2.3",
        "http://tsa.nowhere.example/tsa": "could not be found",
        "http://tsa.public.example:8080/tsa": "Port",
    }
    for url, reason in refused.items():
        with pytest.raises(ValidationError) as exc:
            _configure(team, local_tsa, url=url)
        assert reason in exc.value.message_dict["tsa_url"][0], (url, exc.value.message_dict)
    assert _configure(team, local_tsa, url="http://tsa.public.example/tsa").tsa_url
    # The operator's allowlist lets an internal authority through, as it does for fetches.
    settings.OPTOUT_FETCH_ALLOWED_HOSTS = [
        *settings.OPTOUT_FETCH_ALLOWED_HOSTS,
        "tsa.inside.example",
    ]
    assert _configure(team, local_tsa, url="http://tsa.inside.example/tsa").tsa_url
    assert _configure(team, local_tsa).tsa_url == local_tsa.url
