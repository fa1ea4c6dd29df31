"""A capture's provenance record is timestamped when the label has a TSA (a local
`openssl ts` authority here); a failure never counts as stamped."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from evidence.models import Capture, Packet, Timestamp
from evidence.services.capture_evidence import capture_to_evidence_item
from evidence.services.matters import matter_item_add
from evidence.services.settings import evidence_settings_update
from optout.models import Blob, Job, LedgerEntry
from optout.services.blobs import blob_open
from optout.services.jobs import job_execute
from tests.conftest import Team
from tests.evidence.captures.conftest import Site, capture_now, html
from tests.evidence.conftest import make_matter
from tests.evidence.packets import build_packet, extract, packet_file
from tests.evidence.tsa import LocalTsa, openssl_verify

pytestmark = pytest.mark.django_db


def _members(blob: Blob | None) -> dict[str, bytes]:
    assert blob is not None
    with blob_open(blob) as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


@pytest.fixture
def stamped_label(team: Team, site: Site, local_tsa: LocalTsa, settings: Any) -> LocalTsa:
    settings.OPTOUT_CAPTURE_RENDER = False  # the browser is covered elsewhere
    settings.OPTOUT_FETCH_ALLOWED_HOSTS = [
        f"127.0.0.1:{site.port}",
        f"127.0.0.1:{local_tsa.server.port}",
    ]
    evidence_settings_update(
        label=team.label, actor=team.owner, tsa_url=local_tsa.url, tsa_certificates=local_tsa.ca_pem
    )
    site.routes["/terms"] = html("<p>Our terms: no AI training.</p>")
    return local_tsa


def _check_token(capture: Capture, tmp_path: Path, tsa: LocalTsa) -> None:
    """The bundle's token verifies with openssl against the bundle's provenance record,
    and not against a record changed by one byte."""
    members = _members(capture.bundle)
    provenance = next(n for n in members if n.endswith("-provenance.json"))
    assert f"{provenance}.tsr" in members
    assert capture.provenance is not None
    assert members[provenance] == _members_bytes(capture.provenance)
    (tmp_path / "provenance.json").write_bytes(members[provenance])
    (tmp_path / "token.tsr").write_bytes(members[f"{provenance}.tsr"])
    (tmp_path / "ca.pem").write_text(tsa.ca_pem)
    good = openssl_verify(tmp_path / "provenance.json", tmp_path / "token.tsr", tmp_path / "ca.pem")
    assert good.returncode == 0 and "Verification: OK" in good.stdout
    changed = bytearray(members[provenance])
    changed[10] ^= 0x01
    (tmp_path / "changed.json").write_bytes(bytes(changed))
    bad = openssl_verify(tmp_path / "changed.json", tmp_path / "token.tsr", tmp_path / "ca.pem")
    assert bad.returncode != 0


def _members_bytes(blob: Blob) -> bytes:
    with blob_open(blob) as handle:
        return handle.read()


@pytest.mark.parametrize("chain", [False, True], ids=["signer only", "with the chain"])
def test_a_capture_is_stamped_and_its_bundle_carries_the_token(
    team: Team, site: Site, stamped_label: LocalTsa, tmp_path: Path, chain: bool
) -> None:
    stamped_label.chain = chain  # many public TSAs answer with their certificate chain
    capture = capture_now(team.label, team.rights, site.url("/terms"))
    capture.refresh_from_db()

    stamp = capture.timestamp
    assert stamp is not None and stamp.status == Timestamp.Status.STAMPED
    assert stamp.subject_type == "evidence.capture" and stamp.subject_code == capture.code
    assert capture.provenance is not None
    assert stamp.message_sha256 == capture.provenance.sha256
    _check_token(capture, tmp_path, stamped_label)
    assert stamp.token is not None and _members_bytes(stamp.token) == stamped_label.issued[-1]
    assert capture.bundle is not None
    assert (
        LedgerEntry.objects.for_label(team.label)
        .filter(
            action="capture.output_stored",
            object_code=str(capture.code),
            sha256=capture.bundle.sha256,
            data__timestamp=str(stamp.code),
        )
        .exists()
    )
    detail = team.client_for(team.viewer).get(
        f"/api/v1/labels/{team.label.slug}/captures/{capture.code}/"
    )
    assert detail.json()["timestamp"]["status"] == "stamped"


def test_a_tsa_that_is_down_leaves_the_capture_unstamped_until_a_retry_succeeds(
    team: Team, site: Site, stamped_label: LocalTsa, tmp_path: Path
) -> None:
    stamped_label.mode = "error"
    capture = capture_now(team.label, team.rights, site.url("/terms"))
    capture.refresh_from_db()

    assert capture.status == Capture.Status.DONE
    stamp = capture.timestamp
    assert stamp is not None and stamp.status == Timestamp.Status.PENDING
    assert stamp.token is None and stamp.attempts == 1 and "503" in stamp.last_error
    assert not [n for n in _members(capture.bundle) if n.endswith(".tsr")]
    first_bundle = capture.bundle
    page = team.client_for(team.viewer).get(
        f"/l/{team.label.slug}/evidence/captures/{capture.code}/"
    )
    assert "Not stamped yet" in page.content.decode()

    retry = Job.objects.for_label(team.label).get(kind="evidence.timestamp")
    assert stamp.job == retry
    stamped_label.mode = "up"
    job_execute(code=str(retry.code))
    capture.refresh_from_db()
    stamp.refresh_from_db()
    assert stamp.status == Timestamp.Status.STAMPED
    assert capture.bundle != first_bundle
    _check_token(capture, tmp_path, stamped_label)


def test_a_timestamp_that_arrives_after_the_capture_joined_a_matter_reaches_its_packets(
    team: Team, site: Site, stamped_label: LocalTsa, tmp_path: Path
) -> None:
    stamped_label.mode = "error"
    capture = capture_now(team.label, team.rights, site.url("/terms"))
    matter = make_matter(team.label, team.rights)
    item = matter_item_add(
        matter=matter, actor=team.rights, source_key="capture", source_code=capture.code
    )
    assert item.provenance["timestamp"]["status"] == "pending"
    first_bundle = capture.bundle
    # The capture also became an evidence item, added to the matter too.
    evidence = capture_to_evidence_item(capture=capture, actor=team.rights)
    via_evidence = matter_item_add(
        matter=matter, actor=team.rights, source_key="evidence", source_code=evidence.code
    )
    assert via_evidence.blob == first_bundle

    stamped_label.mode = "up"
    job_execute(code=str(Job.objects.for_label(team.label).get(kind="evidence.timestamp").code))
    capture.refresh_from_db()
    assert capture.bundle is not None and capture.bundle != first_bundle
    item.refresh_from_db()
    assert item.blob == capture.bundle
    evidence.refresh_from_db()
    via_evidence.refresh_from_db()
    assert evidence.blob == capture.bundle and via_evidence.blob == capture.bundle
    assert (
        LedgerEntry.objects.for_label(team.label)
        .filter(action="matter.item_resealed", object_code=str(item.code))
        .get()
        .sha256
        == capture.bundle.sha256
    )

    packet = build_packet(matter, team.rights)
    assert packet.status == Packet.Status.READY, packet.error
    folder = extract(packet_file(packet, tmp_path / "packet.zip"), tmp_path / "packet")
    manifest = json.loads((folder / "manifest.json").read_text())
    members = [m for m in manifest["members"] if m["role"] == "item"]
    assert [m["sha256"] for m in members] == [capture.bundle.sha256] * 2
    member = next(m for m in members if m["source"]["type"] == "capture")
    timestamp = member["provenance"]["timestamp"]
    assert timestamp["status"] == "stamped" and timestamp["gen_time"]
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes((folder / member["path"]).read_bytes())
    with zipfile.ZipFile(bundle) as opened:
        assert timestamp["token_member"] in opened.namelist()
    verified = subprocess.run(
        [sys.executable, "-I", "verify.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), verified.stdout


def test_without_a_timestamp_authority_nothing_is_asked(
    team: Team, site: Site, settings: Any
) -> None:
    settings.OPTOUT_CAPTURE_RENDER = False
    site.routes["/terms"] = html("<p>Our terms.</p>")
    capture = capture_now(team.label, team.rights, site.url("/terms"))
    assert capture.timestamp is None
    assert not Timestamp.objects.for_label(team.label).exists()
