"""Forged packets: whoever rebuilds a packet can make every check that uses only what is
inside it pass (member hashes, SHA256SUMS, the unkeyed ledger recipe). The timestamp checked
against a TSA certificate obtained elsewhere, and the manifest SHA-256 this server recorded,
are what no forger can rewrite; every checker must say so."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from evidence.models import Packet
from evidence.services.matters import matter_item_add
from evidence.services.packets.builder import VERIFIER_SOURCE
from evidence.services.settings import evidence_settings_update
from optout.lib.canonical import canonical_json
from tests.conftest import Team
from tests.evidence.conftest import make_item, make_matter
from tests.evidence.packets import build_packet, packet_file
from tests.evidence.tsa import LocalTsa, Pki, openssl_stamp

pytestmark = pytest.mark.django_db

TITLE = "Zeta v. Example AI (genuine matter)"
# The system's python3 itself (not a shim that needs a shell), outside the project's virtualenv.
PYTHON3 = str(Path(shutil.which("python3", path="/usr/bin:/bin") or sys.executable).resolve())


@dataclass
class Stamped:
    packet: Packet
    path: Path
    ca_file: Path
    attacker_ca_file: Path


@pytest.fixture
def stamped(team: Team, local_tsa: LocalTsa, attacker_pki: Pki, tmp_path: Path) -> Stamped:
    evidence_settings_update(
        label=team.label, actor=team.owner, tsa_url=local_tsa.url, tsa_certificates=local_tsa.ca_pem
    )
    matter = make_matter(team.label, team.rights, title=TITLE)
    for name, data in (("letter.txt", b"We removed it on 2 March."), ("terms.pdf", b"%PDF-1.4 x")):
        item = make_item(team.label, team.rights, data=data, name=name)
        matter_item_add(
            matter=matter, actor=team.rights, source_key="evidence", source_code=item.code
        )
    packet = build_packet(matter, team.counsel)
    assert packet.seal == Packet.Seal.SEALED, packet.error
    ca_file, attacker_ca_file = tmp_path / "tsa.pem", tmp_path / "attacker.pem"
    ca_file.write_text(local_tsa.ca_pem)
    attacker_ca_file.write_text(attacker_pki.ca_pem)
    return Stamped(packet, packet_file(packet, tmp_path / "genuine.zip"), ca_file, attacker_ca_file)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fingerprint(pem: str) -> str:
    digest = x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256()).hex()
    return ":".join(digest[i : i + 2] for i in range(0, 64, 2)).upper()


def _rechain(excerpt: bytes, old: str, new: str) -> bytes:
    """The ledger excerpt with ``old`` replaced by ``new`` in every record and every hash
    recomputed by the public recipe, as a forger would."""
    lines = [json.loads(line) for line in excerpt.decode().splitlines()]
    previous = None
    for line in lines:
        if previous is not None:
            line["prev_hash"] = previous["entry_hash"]
        if "record" in line:
            line["record"] = json.loads(json.dumps(line["record"]).replace(old, new))
            line["entry_hash"] = _sha256(
                canonical_json(line["record"]) + line["prev_hash"].encode()
            )
        previous = line
    return b"".join(canonical_json(line) + b"\n" for line in lines)


def forge(genuine: Path, target: Path, restamp: Callable[[bytes], bytes] | None = None) -> Path:
    """Change the first item and rewrite everything that describes it: the manifest, the
    ledger excerpt, SHA256SUMS; then drop the timestamp, or re-stamp the new manifest with
    ``restamp`` and ship the forger's CA as the packet's trusted certificates."""
    with zipfile.ZipFile(genuine) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    item = next(m for m in manifest["members"] if m["role"] == "item")
    old = item["sha256"]
    members[item["path"]] += b" Then we put it back."
    new = _sha256(members[item["path"]])
    members["ledger/excerpt.jsonl"] = _rechain(members["ledger/excerpt.jsonl"], old, new)
    for member in manifest["members"]:
        if member["path"] in members:
            member["sha256"] = _sha256(members[member["path"]])
            member["size"] = len(members[member["path"]])
    members["manifest.json"] = (
        json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    ).encode()
    members.pop("timestamps/manifest.json.tsr")
    members.pop("timestamps/tsa-certificates.pem")
    if restamp is not None:
        members["timestamps/manifest.json.tsr"] = restamp(members["manifest.json"])
    return _rezip(members, target)


def _attacker_stamp(pki: Pki) -> Callable[[bytes], bytes]:
    return lambda manifest: openssl_stamp(pki, manifest)


def _with_attacker_ca(path: Path, pki: Pki) -> Path:
    """Ship the forger's CA as the packet's trusted certificates, listed in SHA256SUMS."""
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members["timestamps/tsa-certificates.pem"] = pki.ca_pem.encode()
    return _rezip(members, path)


def _rezip(members: dict[str, bytes], target: Path) -> Path:
    """The members with a SHA256SUMS that lists them all, as a ZIP."""
    members.pop("SHA256SUMS", None)
    members["SHA256SUMS"] = "".join(
        f"{_sha256(data)}  {name}\n" for name, data in sorted(members.items())
    ).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


# --- the three checkers --------------------------------------------------------------------


def verify_py(path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    script = path.with_name("verify.py")
    script.write_bytes(VERIFIER_SOURCE.read_bytes())
    result = subprocess.run(
        [PYTHON3, "-I", str(script), *args, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert not result.stderr, result.stderr
    return result.returncode, result.stdout


def command(path: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_packet", str(path), stdout=out, stderr=err)
    except SystemExit as exc:
        assert isinstance(exc.code, int)
        return exc.code, err.getvalue()
    return 0, out.getvalue()


def page(client: Client, path: Path, name: str = "packet from the other side.zip") -> str:
    with open(path, "rb") as handle:
        upload = io.BytesIO(handle.read())
    upload.name = name
    response = client.post(reverse("verify_packet"), {"packet": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Report for packet from the other side.zip" in text
    assert ".part" not in text  # the temporary file the upload was written to
    return text


def assert_forgery_refused(team: Team, stamped: Stamped, forged: Path) -> None:
    code = str(stamped.packet.code)
    exit_code, out = verify_py(forged)
    assert exit_code == 1 and not out.startswith("OK"), out
    exit_code, out = verify_py(forged, "--tsa-ca", str(stamped.ca_file))
    assert exit_code == 1 and not out.startswith("OK"), out

    exit_code, err = command(forged)
    assert exit_code == 1, err
    assert f"Not genuine: it claims to be packet {code}" in err
    assert not err.startswith("OK") and "Built here" not in err

    # Counsel of the label itself, who could see the genuine packet: still told nothing of it.
    text = page(team.client_for(team.counsel), forged)
    assert "Not genuine" in text and f"It claims to be packet {code}" in text
    assert "badge-done" not in text and "Yes:" not in text
    assert TITLE not in text and "Zeta" not in text


# --- the forgeries ---------------------------------------------------------------------------


def test_a_forgery_without_its_timestamp_is_refused_by_every_checker(
    team: Team, stamped: Stamped, tmp_path: Path
) -> None:
    forged = forge(stamped.path, tmp_path / "forged.zip")
    # The forgery is consistent with itself: only the missing timestamp gives it away.
    exit_code, out = verify_py(forged)
    assert exit_code == 1
    assert out.startswith("NOT VERIFIED: unstamped: timestamps/manifest.json.tsr"), out
    accepted = verify_py(forged, "--accept-unstamped")
    assert accepted[0] == 0
    assert "not timestamped: accepted by --accept-unstamped" in accepted[1]
    assert_forgery_refused(team, stamped, forged)


def test_a_forgery_re_stamped_by_another_tsa_is_refused_by_every_checker(
    team: Team, stamped: Stamped, attacker_pki: Pki, tmp_path: Path
) -> None:
    forged = _with_attacker_ca(
        forge(stamped.path, tmp_path / "restamped.zip", _attacker_stamp(attacker_pki)),
        attacker_pki,
    )
    # On its own terms (the packet's own certificates) it verifies: the report must say
    # where the anchor came from and whose it is, so counsel can compare.
    exit_code, out = verify_py(forged)
    attacker = _fingerprint(attacker_pki.ca_pem)
    assert exit_code == 0 and f"(SHA-256 fingerprint): {attacker}" in out, out
    assert "taken from inside the packet" in out
    assert _fingerprint(stamped.ca_file.read_text()) not in out
    # With the label's certificate from outside, it fails.
    anchored, out = verify_py(forged, "--tsa-ca", str(stamped.ca_file))
    assert anchored == 1 and out.startswith("FAILED: timestamp: timestamps/manifest.json.tsr")
    exit_code, err = command(forged)
    assert exit_code == 1 and err.startswith("FAILED: timestamp:"), err
    assert f"Not genuine: it claims to be packet {stamped.packet.code}" in err
    text = page(team.client_for(team.viewer), forged)
    assert "Not genuine" in text and "badge-done" not in text and TITLE not in text


def test_without_openssl_a_forgery_is_never_intact(
    team: Team,
    stamped: Stamped,
    attacker_pki: Pki,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unstamped = forge(stamped.path, tmp_path / "forged.zip")
    restamped = _with_attacker_ca(
        forge(stamped.path, tmp_path / "restamped.zip", _attacker_stamp(attacker_pki)),
        attacker_pki,
    )
    empty = tmp_path / "no-openssl"
    empty.mkdir()
    no_openssl = {"PATH": str(empty), "HOME": str(tmp_path)}
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("openssl") is None

    exit_code, out = verify_py(unstamped, env=no_openssl)
    assert exit_code == 1 and out.startswith("NOT VERIFIED: unstamped"), out
    exit_code, out = verify_py(restamped, env=no_openssl)
    assert exit_code == 2, out
    assert out.startswith(
        "NOT CHECKED: the timestamp could not be checked (the openssl command was not found)"
    ), out
    assert "OK" not in out and "intact" not in out
    exit_code, out = verify_py(stamped.path, "--tsa-ca", str(stamped.ca_file), env=no_openssl)
    assert exit_code == 2 and out.startswith("NOT CHECKED"), out

    for forged in (unstamped, restamped):
        exit_code, err = command(forged)
        assert exit_code == 1 and "Not genuine" in err, err
        text = page(team.client_for(team.counsel), forged)
        assert "Not genuine" in text and "badge-done" not in text and TITLE not in text


def test_the_genuine_packet_passes_everything_but_not_against_another_tsa(
    team: Team, stamped: Stamped, local_tsa: LocalTsa
) -> None:
    expected = _fingerprint(local_tsa.ca_pem)
    exit_code, out = verify_py(stamped.path)
    assert exit_code == 0 and out.startswith("OK: the packet is intact."), out
    assert f"TSA certificate trusted (SHA-256 fingerprint): {expected}" in out
    assert "taken from inside the packet" in out

    exit_code, out = verify_py(stamped.path, "--tsa-ca", str(stamped.ca_file))
    assert exit_code == 0 and out.startswith("OK"), out
    assert f"TSA certificate trusted (SHA-256 fingerprint): {expected}" in out
    assert f"taken from outside the packet: --tsa-ca {stamped.ca_file}" in out

    exit_code, text = command(stamped.path)
    assert exit_code == 0 and text.startswith("OK"), text
    assert f"Built here: packet {stamped.packet.code} of matter “{TITLE}”" in text
    assert expected in text and "taken from outside the packet" in text

    body = page(team.client_for(team.counsel), stamped.path)
    assert "badge-done" in body and "Yes: a packet of" in body and expected in body
    assert "Not genuine" not in body and "Not intact" not in body
    # Someone outside the label learns that it is genuine, not what it is about.
    outsider = page(team.client_for(team.outsider), stamped.path)
    assert "badge-done" in outsider and "this server recorded" in outsider
    assert "Open it" not in outsider

    # The label publishes the fingerprint counsel compares with, and sees what it publishes.
    public = Client().get(reverse("signals:terms", args=[team.label.slug])).content.decode()
    assert expected in public
    settings_page = team.client_for(team.viewer).get(reverse("evidence:settings", args=["label-a"]))
    assert expected in settings_page.content.decode()
    with zipfile.ZipFile(stamped.path) as archive:
        readme = archive.read("README.txt").decode()
    assert f"/s/{team.label.slug}/terms/" in readme and "--tsa-ca tsa.pem" in readme

    # The genuine packet checked against the forger's certificate: not verified.
    exit_code, out = verify_py(stamped.path, "--tsa-ca", str(stamped.attacker_ca_file))
    assert exit_code == 1, out
    assert out.startswith("FAILED: timestamp: timestamps/manifest.json.tsr"), out
    assert _fingerprint(local_tsa.ca_pem) not in out


def test_a_packet_built_elsewhere_is_checked_on_its_own_terms(
    team: Team, stamped: Stamped, tmp_path: Path
) -> None:
    with zipfile.ZipFile(forge(stamped.path, tmp_path / "forged.zip")) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["packet"] = "00000000-0000-4000-8000-000000000000"
    members["manifest.json"] = json.dumps(manifest).encode()
    stranger = _rezip(members, tmp_path / "stranger.zip")
    exit_code, err = command(stranger)
    assert exit_code == 1 and err.startswith("NOT VERIFIED: unstamped"), err
    assert "Not built here" in err
    text = page(team.client_for(team.viewer), stranger)
    assert "Not verified" in text and "this server did not build it" in text


def test_a_packet_built_here_but_altered_is_not_called_built_here_yes(
    team: Team, stamped: Stamped, tmp_path: Path
) -> None:
    with zipfile.ZipFile(stamped.path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    item = next(name for name in members if name.startswith("items/"))
    members[item] = members[item] + b"one more line"
    altered = _rezip(members, tmp_path / "altered.zip")
    body = page(team.client_for(team.counsel), altered)
    assert "Not intact" in body and "badge-done" not in body
    built_here = body.split("Built here", 1)[1]
    assert "Yes" not in built_here.split("</dd>", 1)[0]
    assert "does not check out" in built_here
