"""Packets: contents, hostile names, tamper detection by every checker, blocked builds."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from evidence.models import Alert, Matter, MatterItem, Packet
from evidence.services.matters import matter_item_add
from evidence.services.packets import packet_request
from evidence.services.packets.builder import VERIFIER_SOURCE
from evidence.verifier import verify_packet
from optout.lib.archive import ARCNAME_RE
from optout.lib.hashing import sha256_bytes
from optout.models import Job, LedgerEntry
from optout.services.jobs import job_create, job_execute
from optout.services.ledger import entry_hash
from tests.conftest import Team, build_team, rolled_back
from tests.evidence.conftest import make_item, make_matter
from tests.evidence.packets import (
    HOSTILE_NAMES,
    build_packet,
    extract,
    packet_file,
    rewrite,
)
from tests.polling import assert_pollable

# One xdist process runs this module: its module-scoped packet is built once.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("packets")]


def _packet_of_three_items(team: Team) -> Packet:
    matter = make_matter(
        team.label, team.rights, title="Case <Example AI> & “friends”", target_company="Example AI"
    )
    for i, (name, data) in enumerate(
        [
            ("Takedown reply.eml", b"From: platform\n\nWe removed it."),
            ("screenshot.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40),
            ("licence.pdf", b"%PDF-1.4 licence text " * 100),
        ]
    ):
        item = make_item(
            team.label,
            team.rights,
            data=data,
            name=name,
            title=f"Item {i} <script>alert(1)</script>",
            source_url=f"https://example.test/{i}",
        )
        matter_item_add(
            matter=matter, actor=team.rights, source_key="evidence", source_code=item.code
        )
    packet = build_packet(matter, team.counsel)
    assert packet.status == Packet.Status.READY, packet.error
    return packet


@pytest.fixture
def built(team: Team, tmp_path: Path) -> tuple[Packet, Path]:
    packet = _packet_of_three_items(team)
    return packet, packet_file(packet, tmp_path / "packet.zip")


@dataclass(frozen=True)
class BuiltZip:
    code: str
    path: Path


@pytest.fixture(scope="module")
def packet_zip(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> BuiltZip:
    """The packet of ``built`` as a read-only file, built once for the tests that only
    check the archive (its rows are rolled back at once; tests copy before changing)."""
    folder = tmp_path_factory.mktemp("packet")
    with rolled_back(django_db_blocker, folder / "media"):
        packet = _packet_of_three_items(build_team())
        path = packet_file(packet, folder / "packet.zip")
    path.chmod(0o444)
    return BuiltZip(code=str(packet.code), path=path)


def test_a_packet_holds_every_item_with_a_manifest_that_matches(
    team: Team, built: tuple[Packet, Path]
) -> None:
    packet, path = built
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
        items = [m for m in manifest["members"] if m["role"] == "item"]
        assert len(items) == 3 == packet.item_count
        for member in items:
            data = archive.read(member["path"])
            assert sha256_bytes(data) == member["sha256"] and len(data) == member["size"]
            assert member["source_url"].startswith("https://example.test/")
            assert member["dates"]["received"] and member["dates"]["added_to_matter"]
            assert member["provenance"]["type"] == "upload"
            assert {e["action"] for e in member["ledger_entries"]} >= {
                "blob.stored",
                "evidence.item_added",
                "matter.item_added",
            }
        assert {"manifest.json", "SHA256SUMS", "index.pdf", "verify.py", "README.txt"} <= set(names)
        assert "ledger/excerpt.jsonl" in names
        assert archive.testzip() is None
    assert sha256_bytes(zipfile.ZipFile(path).read("manifest.json")) == packet.manifest_sha256
    assert manifest["matter"]["title"] == "Case <Example AI> & “friends”"
    # The label has no TSA: the packet carries no timestamp and is verified only when
    # someone accepts that.
    unstamped = verify_packet(str(path))
    assert unstamped.status == "unstamped" and unstamped.timestamp == "absent"
    report = verify_packet(str(path), accept_unstamped="the test")
    assert report.ok, report.text()
    assert report.timestamp == "not timestamped: accepted by the test"
    built_entry = LedgerEntry.objects.for_label(team.label).filter(action="packet.built").get()
    assert built_entry.data["manifest_sha256"] == packet.manifest_sha256
    assert packet.blob is not None and built_entry.sha256 == packet.blob.sha256


def test_the_ledger_excerpt_recomputes_and_chains(packet_zip: BuiltZip) -> None:
    path = packet_zip.path
    lines = zipfile.ZipFile(path).read("ledger/excerpt.jsonl").decode().splitlines()
    entries = [json.loads(line) for line in lines]
    assert entries, "the excerpt is empty"
    previous = None
    for entry in entries:
        if previous is not None:
            assert entry["seq"] == previous["seq"] + 1
            assert entry["prev_hash"] == previous["entry_hash"]
        if "record" in entry:
            assert entry_hash(entry["record"], entry["prev_hash"]) == entry["entry_hash"]
        previous = entry
    assert sum("record" in e for e in entries) >= 9


def test_sha256sum_and_unzip_accept_an_intact_packet(packet_zip: BuiltZip, tmp_path: Path) -> None:
    path = packet_zip.path
    folder = extract(path, tmp_path / "unpacked")
    checked = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len((folder / "SHA256SUMS").read_text().splitlines())
    tested = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)
    assert tested.returncode == 0 and "No errors detected" in tested.stdout


def test_the_pdf_index_lists_every_item_verbatim(packet_zip: BuiltZip, tmp_path: Path) -> None:
    path = packet_zip.path
    pdf = tmp_path / "index.pdf"
    pdf.write_bytes(zipfile.ZipFile(path).read("index.pdf"))
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # Lines wrap inside table cells; compare with the white space taken out.
    flat = "".join(text.split())

    def squeeze(value: str) -> str:
        return "".join(value.split())

    assert squeeze("Case <Example AI> & “friends”") in flat
    for i in range(3):
        assert squeeze(f"Item {i} <script>alert(1)</script>") in flat
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    for member in manifest["members"]:
        if member["role"] == "item":
            assert member["sha256"] in flat and member["path"] in flat
    assert packet_zip.code in flat


def test_verify_py_runs_in_a_clean_virtualenv_without_the_project(
    packet_zip: BuiltZip, tmp_path: Path
) -> None:
    path = packet_zip.path
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    folder = extract(path, tmp_path / "unpacked")
    clean_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    no_project = subprocess.run(
        [str(python), "-I", "-c", "import django"], capture_output=True, env=clean_env, check=False
    )
    assert no_project.returncode != 0, "the clean virtualenv can import Django"

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(python), "-I", *args],
            cwd=cwd,
            env=clean_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    unstamped = run("verify.py", cwd=folder)
    assert unstamped.returncode == 1, unstamped.stdout + unstamped.stderr
    assert unstamped.stdout.startswith("NOT VERIFIED: unstamped")
    intact = run("verify.py", "--accept-unstamped", cwd=folder)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.stdout.startswith("OK")
    zipped = run(str(folder / "verify.py"), "--accept-unstamped", str(path), cwd=tmp_path)
    assert zipped.returncode == 0, zipped.stdout

    victim = next((folder / "items").iterdir())
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    broken = run("verify.py", cwd=folder)
    assert broken.returncode == 1
    assert broken.stdout.splitlines()[0].startswith(f"FAILED: altered: items/{victim.name}")


def _flip(target: str) -> Callable[[str, bytes], tuple[str, bytes] | None]:
    def change(name: str, data: bytes) -> tuple[str, bytes] | None:
        if name == target:
            flipped = bytearray(data)
            flipped[len(flipped) // 2] ^= 0x40
            return name, bytes(flipped)
        return name, data

    return change


def _tamper_cases(manifest: dict[str, Any]) -> dict[str, tuple[Callable[..., Any], str, str]]:
    first = next(m["path"] for m in manifest["members"] if m["role"] == "item")
    renamed = first.replace("items/001-", "items/001-renamed-")

    def edit_manifest(name: str, data: bytes) -> tuple[str, bytes]:
        if name == "manifest.json":
            return name, data.replace(b"Example AI", b"Someone Else", 1)
        return name, data

    return {
        "one byte flipped": (_flip(first), "altered", first),
        "member removed": (lambda n, d: None if n == first else (n, d), "missing", first),
        "member added": (lambda n, d: (n, d), "added", "items/999-planted.pdf"),
        "member renamed": (
            lambda n, d: (renamed if n == first else n, d),
            "missing",
            first,
        ),
        "manifest edited": (edit_manifest, "altered", "manifest.json"),
        "ledger flipped": (_flip("ledger/excerpt.jsonl"), "altered", "ledger/excerpt.jsonl"),
    }


def _check_all_ways(team: Team, path: Path, kind: str, member: str) -> None:
    """verify.py (as shipped, run as a script), `manage.py verify_packet` and the /verify
    page all name the member."""
    report = verify_packet(str(path))
    first = report.first_problem
    assert first is not None, "tampering went unnoticed"
    assert (first.kind, first.member) == (kind, member), report.text()

    script = path.with_name(f"{path.stem}-verify.py")
    script.write_bytes(VERIFIER_SOURCE.read_bytes())
    standalone = subprocess.run(
        [sys.executable, "-I", str(script), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert standalone.returncode == 1
    assert standalone.stdout.startswith(f"FAILED: {kind}: {member}"), standalone.stdout

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_packet", str(path), stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert err.getvalue().startswith(f"FAILED: {kind}: {member}")

    with open(path, "rb") as handle:
        response = team.client_for(team.viewer).post(reverse("verify_packet"), {"packet": handle})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not intact" in page and member in page


def test_every_kind_of_tampering_is_detected_and_named_by_every_checker(
    team: Team, packet_zip: BuiltZip, tmp_path: Path
) -> None:
    path = packet_zip.path
    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    for case, (change, kind, member) in _tamper_cases(manifest).items():
        tampered = rewrite(path, tmp_path / f"{case.replace(' ', '-')}.zip", change)
        if case == "member added":
            with zipfile.ZipFile(tampered, "a") as archive:
                archive.writestr("items/999-planted.pdf", b"%PDF planted")
        try:
            _check_all_ways(team, tampered, kind, member)
        except AssertionError as exc:
            raise AssertionError(f"{case}: {exc}") from exc


def test_a_byte_changed_inside_the_zip_itself_is_named(
    team: Team, packet_zip: BuiltZip, tmp_path: Path
) -> None:
    path = packet_zip.path
    with zipfile.ZipFile(path) as archive:
        info = next(i for i in archive.infolist() if i.filename.startswith("items/"))
    data = bytearray(path.read_bytes())
    # The member's bytes start after its local header, whose extra field (Zip64) differs
    # from the central directory's.
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0xFF
    raw = tmp_path / "raw.zip"
    raw.write_bytes(bytes(data))
    _check_all_ways(team, raw, "altered", info.filename)


def test_an_untouched_packet_verifies_by_every_checker(
    team: Team, built: tuple[Packet, Path]
) -> None:
    _packet, path = built
    out = io.StringIO()
    call_command("verify_packet", str(path), stdout=out)
    assert out.getvalue().startswith("OK")
    with open(path, "rb") as handle:
        response = team.client_for(team.viewer).post(reverse("verify_packet"), {"packet": handle})
    assert response.status_code == 200
    assert "Intact" in response.content.decode()


def test_hostile_item_names_become_safe_unique_member_names(team: Team, tmp_path: Path) -> None:
    matter = make_matter(team.label, team.rights)
    for i, name in enumerate(HOSTILE_NAMES):
        item = make_item(team.label, team.rights, data=f"file {i}".encode(), name=f"f{i}.txt")
        added = matter_item_add(
            matter=matter, actor=team.rights, source_key="evidence", source_code=item.code
        )
        # Uploads reach us as base names already (Django strips paths); names from other
        # sources (captured page titles, catalog document names) do not, so set them raw.
        # PostgreSQL text cannot hold NUL at all.
        MatterItem.objects.for_label(team.label).filter(pk=added.pk).update(
            filename=name.replace("\x00", "")[:255], title=name.replace("\x00", "")[:300] or "x"
        )
    packet = build_packet(matter, team.owner)
    assert packet.status == Packet.Status.READY, packet.error
    path = packet_file(packet, tmp_path / "hostile.zip")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
    assert len(names) == len({n.casefold() for n in names})
    for name in names:
        assert ARCNAME_RE.match(name), name
        assert ".." not in name.split("/") and not name.startswith("/") and "\\" not in name
    items = [n for n in names if n.startswith("items/")]
    assert len(items) == len(HOSTILE_NAMES)
    tested = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True, check=False)
    assert tested.returncode == 0, tested.stdout
    assert verify_packet(str(path), accept_unstamped="the test").ok


def test_a_changed_stored_file_blocks_the_packet_with_a_reason(team: Team, settings: Any) -> None:
    matter = make_matter(team.label, team.rights)
    good = make_item(team.label, team.rights, data=b"good file", name="good.txt")
    bad = make_item(team.label, team.rights, data=b"original bytes", name="bad.txt", title="Bad")
    for item in (good, bad):
        matter_item_add(
            matter=matter, actor=team.rights, source_key="evidence", source_code=item.code
        )
    stored = Path(settings.MEDIA_ROOT) / bad.blob.storage_name
    stored.write_bytes(b"Original bytes")
    packet = build_packet(matter, team.counsel)
    assert packet.status == Packet.Status.FAILED and packet.blob is None
    assert "item 2 (“Bad”) has changed since it was received" in packet.error
    assert packet.job is not None
    packet.job.refresh_from_db()
    assert packet.job.status == Job.Status.FAILED and "has changed" in packet.job.error
    alert = Alert.objects.for_label(team.label).get(kind=Alert.Kind.PACKET_BLOCKED)
    assert "has changed" in alert.message
    assert LedgerEntry.objects.for_label(team.label).filter(action="packet.blocked").count() == 1

    stored.unlink()
    again = build_packet(matter, team.counsel)
    assert again.status == Packet.Status.FAILED and "is missing" in again.error


def test_a_matter_without_items_cannot_be_packed(team: Team) -> None:
    matter = make_matter(team.label, team.rights)
    with pytest.raises(ValidationError):
        packet_request(matter=matter, actor=team.counsel)
    assert not Packet.objects.for_label(team.label).exists()


def _packet_urls(packet: Packet, matter: Matter) -> tuple[str, str]:
    kwargs = {"slug": "label-a", "matter_id": matter.code}
    return (
        reverse("api:evidence:packets", kwargs=kwargs),
        reverse("api:evidence:packet-download", kwargs={**kwargs, "id": packet.code}),
    )


def test_counsel_builds_through_the_api_and_downloads_are_logged(
    team: Team, built: tuple[Packet, Path]
) -> None:
    packet, path = built
    matter = packet.matter
    build_url, download_url = _packet_urls(packet, matter)

    refused = team.client_for(team.rights).post(build_url)
    assert refused.status_code == 403
    counsel = team.client_for(team.counsel)
    started = counsel.post(build_url)
    assert started.status_code == 202
    body = started.json()
    # Like a new capture or master: the created packet with its id, and its job nested.
    created = Packet.objects.for_label(team.label).get(code=body["id"])
    assert body["status"] == created.status == Packet.Status.BUILDING
    assert body["matter"] == str(matter.code) and "packet" not in body
    assert body["job"]["kind"] == "evidence.packet_build"
    assert body["job"]["id"] == str(created.job.code)
    # Location names the new packet's detail, which follows the build.
    polled = assert_pollable(counsel, started, same_id=body["id"])
    assert polled.json()["job"]["id"] == body["job"]["id"]

    assert team.client_for(team.viewer).get(download_url).status_code == 403
    response = team.client_for(team.counsel).get(download_url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="packet-{packet.code}.zip"'
    assert b"".join(response.streaming_content) == path.read_bytes()  # type: ignore[attr-defined]
    entry = LedgerEntry.objects.for_label(team.label).order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.actor, entry.object_code) == (
        "blob.downloaded",
        team.counsel,
        str(packet.code),
    )
    assert entry.data["manifest_sha256"] == packet.manifest_sha256


def _upload_to_verify(team: Team, path: Path) -> str:
    with open(path, "rb") as handle:
        response = team.client_for(team.viewer).post(reverse("verify_packet"), {"packet": handle})
    assert response.status_code == 200
    return response.content.decode()


def test_the_verify_page_refuses_hostile_archives_without_reading_them(
    team: Team, tmp_path: Path
) -> None:
    link = tmp_path / "symlink.zip"
    with zipfile.ZipFile(link, "w") as archive:
        info = zipfile.ZipInfo("items/001-link")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    assert "symbolic link" in _upload_to_verify(team, link)

    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(10001):
            archive.writestr(f"f{i}", b"")
    assert "10001 entries" in _upload_to_verify(team, many)

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"\0" * (20 * 1024 * 1024))
    assert "times its size" in _upload_to_verify(team, bomb)

    not_zip = tmp_path / "letter.zip"
    not_zip.write_bytes(b"%PDF-1.4 not a zip")
    page = _upload_to_verify(team, not_zip)
    assert "Not intact" in page and "not a readable ZIP archive" in page


def test_a_job_of_one_label_cannot_build_another_labels_packet(team: Team) -> None:
    foreign_matter = make_matter(team.other_label, team.outsider)
    foreign_item = make_item(team.other_label, team.outsider)
    matter_item_add(
        matter=foreign_matter,
        actor=team.outsider,
        source_key="evidence",
        source_code=foreign_item.code,
    )
    foreign = packet_request(matter=foreign_matter, actor=team.outsider)
    job = job_create(
        label=team.label,
        kind="evidence.packet_build",
        actor=team.owner,
        params={"packet": str(foreign.code)},
    )
    job_execute(code=str(job.code))
    job.refresh_from_db()
    foreign.refresh_from_db()
    assert job.status == Job.Status.FAILED and "no longer exists" in job.error
    assert foreign.status == Packet.Status.BUILDING and foreign.blob is None
