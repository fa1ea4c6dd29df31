"""Uploading masters through the real page and API: every format, hashes, refusals."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from catalog.audio import payload_sha256
from catalog.models import Master, Recording
from optout.models import Blob, Job, LedgerEntry
from tests.catalog.masters.conftest import (
    EXPECTED_FORMAT,
    api_masters_url,
    body_of,
    leftovers,
    masters_url,
    post_file,
    run_job,
    sha256sum,
    stored_path,
)
from tests.conftest import Team

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", list(EXPECTED_FORMAT))
def test_it_takes_every_format_through_the_page_and_the_hashes_agree(
    fmt: str,
    team: Team,
    recording: Recording,
    samples: dict[str, Path],
    _media_root: Path,
    _private_upload_dir: Path,
) -> None:
    source = samples[fmt]
    client = team.client_for(team.a_r)
    response = post_file(client, masters_url(team), source, recording=str(recording.code))

    master = Master.objects.for_label(team.label).get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "catalog:master", kwargs={"slug": team.label.slug, "code": master.code}
    )
    expected = sha256sum(source)
    assert master.received_sha256 == expected
    assert master.blob.sha256 == expected
    assert sha256sum(stored_path(_media_root, expected)) == expected
    assert master.status == Master.Status.RECEIVED
    assert master.original_name == source.name
    assert master.uploaded_by == team.a_r
    assert master.size == source.stat().st_size
    assert leftovers(_private_upload_dir) == []
    received = LedgerEntry.objects.for_label(team.label).get(action="master.received")
    # The first bytes tell WAV from RF64; the job's full read tells BWF from plain WAV.
    sniffed = "wav" if fmt == "bwf" else EXPECTED_FORMAT[fmt]
    assert received.sha256 == expected and received.data["format"] == sniffed

    job = run_job(master.job)
    master.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert master.status == Master.Status.READY
    assert master.verified_sha256 == expected
    assert master.format == EXPECTED_FORMAT[fmt]
    assert master.payload_sha256 == payload_sha256(source)
    assert master.sample_rate == 48000 and master.channels == 2
    assert master.duration_ms is not None and 550 <= master.duration_ms <= 700
    assert master.is_current


def test_the_api_answers_201_with_the_master_and_its_job(
    team: Team, recording: Recording, samples: dict[str, Path]
) -> None:
    client = team.client_for(team.owner)
    response = post_file(
        client, api_masters_url(team), samples["flac"], recording=str(recording.code)
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received"
    assert body["recording"]["id"] == str(recording.code)
    assert body["recording"]["isrc"] == "SEABC2600001"
    assert body["received_sha256"] == sha256sum(samples["flac"])
    assert body["job"]["kind"] == "catalog.master_process"
    assert body["job"]["status"] == "pending"
    assert body["version"] == 1 and body["original_name"] == "flac.flac"

    run_job(Job.objects.for_label(team.label).get(code=body["job"]["id"]))
    detail = client.get(
        reverse("api:catalog:master", kwargs={"slug": team.label.slug, "id": body["id"]})
    ).json()
    assert detail["status"] == "ready"
    assert detail["format"] == "flac" and detail["codec"] == "flac"
    assert detail["common_tags"]["title"] == ["Old title"]
    assert detail["is_current"] is True
    assert detail["problem"] is None
    listing = client.get(api_masters_url(team), {"recording": "SE-ABC-26-00001"}).json()
    assert [m["id"] for m in listing["results"]] == [body["id"]]
    assert client.get(api_masters_url(team), {"status": "flagged"}).json()["results"] == []
    bad = client.get(api_masters_url(team), {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]


def test_the_page_answers_json_to_the_upload_script(
    team: Team, recording: Recording, samples: dict[str, Path]
) -> None:
    client = team.client_for(team.a_r)
    ok = post_file(
        client,
        masters_url(team),
        samples["mp3"],
        recording="SEABC2600001",
        HTTP_ACCEPT="application/json",
    )
    assert ok.status_code == 201
    master = Master.objects.for_label(team.label).get()
    assert ok.json()["url"].endswith(f"/masters/{master.code}/")

    refused = post_file(
        client,
        masters_url(team),
        Path(__file__),
        recording="SEABC2600001",
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 400
    assert "not a supported audio file" in refused.json()["error"]["fields"]["file"][0]


def test_the_format_comes_from_the_bytes_not_the_name(
    team: Team, recording: Recording, samples: dict[str, Path]
) -> None:
    client = team.client_for(team.a_r)
    post_file(
        client,
        api_masters_url(team),
        samples["mp3"],
        recording=str(recording.code),
        name="looks-like.wav",
    )
    master = Master.objects.for_label(team.label).get()
    run_job(master.job)
    master.refresh_from_db()
    assert master.format == "mp3"
    assert "extension_mismatch" in [n["code"] for n in master.notes]
    page = client.get(
        reverse("catalog:master", kwargs={"slug": team.label.slug, "code": master.code})
    )
    assert "ends in .wav but the contents are MP3" in page.content.decode()


def _nothing_stored(team: Team, media_root: Path, upload_dir: Path) -> None:
    assert not Master.objects.unscoped().exists()
    assert not Blob.objects.for_label(team.label).exists()
    assert not any(p.is_file() for p in media_root.rglob("*"))
    assert leftovers(upload_dir) == []
    assert (
        not LedgerEntry.objects.for_label(team.label).filter(action__startswith="master.").exists()
    )


@pytest.mark.parametrize(
    ("content", "name", "field", "message"),
    [
        (b"hello, this is not audio\n" * 40, "notes.wav", "file", "not a supported audio file"),
        (b"", "empty.wav", "file", "empty"),
        (b"%PDF-1.7\n" + bytes(2000), "contract.mp3", "file", "not a supported audio file"),
        (b"RIFX" + bytes(4) + b"WAVE" + bytes(100), "big-endian.wav", "file", "RIFX"),
        (b"OggS" + bytes(22) + b"\x01\x08\x80theora" + bytes(64), "video.ogg", "file", "Theora"),
    ],
)
@pytest.mark.parametrize("via", ["page", "api"])
def test_it_refuses_what_is_not_supported_audio_and_stores_nothing(
    via: str,
    content: bytes,
    name: str,
    field: str,
    message: str,
    team: Team,
    recording: Recording,
    tmp_path: Path,
    _media_root: Path,
    _private_upload_dir: Path,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    client = team.client_for(team.a_r)
    url = masters_url(team) if via == "page" else api_masters_url(team)
    response = post_file(client, url, path, recording=str(recording.code))
    assert response.status_code == 400
    if via == "api":
        errors = response.json()["error"]["fields"][field]
    else:
        errors = [str(e) for e in response.context["form"].errors[field]]
    assert message.lower() in " ".join(errors).lower()
    _nothing_stored(team, _media_root, _private_upload_dir)


@pytest.mark.parametrize("via", ["page", "api"])
def test_it_refuses_another_labels_recording(
    via: str,
    team: Team,
    other_recording: Recording,
    samples: dict[str, Path],
    _media_root: Path,
    _private_upload_dir: Path,
) -> None:
    client = team.client_for(team.owner)
    url = masters_url(team) if via == "page" else api_masters_url(team)
    for reference in (str(other_recording.code), other_recording.isrc, "not-a-recording"):
        response = post_file(client, url, samples["wav16"], recording=reference)
        assert response.status_code == 400
    if via == "api":
        assert "recording" in response.json()["error"]["fields"]
    _nothing_stored(team, _media_root, _private_upload_dir)


@pytest.mark.parametrize("via", ["page", "api"])
def test_roles_without_catalog_rights_cannot_upload(
    via: str,
    team: Team,
    recording: Recording,
    samples: dict[str, Path],
    _media_root: Path,
    _private_upload_dir: Path,
) -> None:
    url = masters_url(team) if via == "page" else api_masters_url(team)
    for user in (team.viewer, team.counsel, team.rights):
        response = post_file(
            team.client_for(user), url, samples["wav16"], recording=str(recording.code)
        )
        assert response.status_code == 403
    response = post_file(
        team.client_for(team.outsider), url, samples["wav16"], recording=str(recording.code)
    )
    assert response.status_code == 404
    _nothing_stored(team, _media_root, _private_upload_dir)


@pytest.mark.parametrize("via", ["page", "api"])
def test_it_refuses_a_file_over_the_limit(
    via: str,
    settings: Any,
    team: Team,
    recording: Recording,
    tmp_path: Path,
    samples: dict[str, Path],
    _media_root: Path,
    _private_upload_dir: Path,
) -> None:
    settings.OPTOUT_UPLOAD_MAX_BYTES = 200_000
    client = team.client_for(team.a_r)
    url = masters_url(team) if via == "page" else api_masters_url(team)
    wav = samples["wav16"].read_bytes()
    # Declared far over the limit: refused from the Content-Length alone.
    huge = tmp_path / "huge.wav"
    huge.write_bytes(wav + bytes(3 * 1024 * 1024))
    response = post_file(client, url, huge, recording=str(recording.code))
    assert response.status_code == 413
    # Just over the limit: refused while it streams in.
    near = tmp_path / "near.wav"
    near.write_bytes(wav + bytes(200_001 - len(wav)))
    response = post_file(client, url, near, recording=str(recording.code))
    assert response.status_code == 413
    text = response.json()["error"]["message"] if via == "api" else response.content.decode()
    # Sizes read in decimal units everywhere (200,000 bytes is 200.0 kB).
    assert "larger than the limit of 200.0 kB" in text
    _nothing_stored(team, _media_root, _private_upload_dir)


def test_the_same_file_twice_is_refused_but_a_new_version_is_taken(
    team: Team, recording: Recording, samples: dict[str, Path]
) -> None:
    client = team.client_for(team.a_r)
    url = api_masters_url(team)
    first = post_file(client, url, samples["wav16"], recording=str(recording.code))
    again = post_file(client, url, samples["wav16"], recording=str(recording.code))
    second = post_file(client, url, samples["wav24"], recording=str(recording.code))
    assert first.status_code == 201 and second.status_code == 201
    assert again.status_code == 400
    assert "already version 1" in again.json()["error"]["fields"]["file"][0]
    assert [first.json()["version"], second.json()["version"]] == [1, 2]


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.wav",
        "C:\\Users\\x\\take.wav",
        "mix\u202evaw.exe.wav",
        'quote"; filename=evil.wav',
        "CON.wav",
        "ny låt \u2013 slutmix (v3) ✓.wav",
        "line\r\nbreak.wav",
    ],
)
def test_hostile_file_names_stay_metadata(
    name: str, team: Team, recording: Recording, samples: dict[str, Path], _media_root: Path
) -> None:
    client = team.client_for(team.a_r)
    response = post_file(
        client, api_masters_url(team), samples["wav16"], recording=str(recording.code), name=name
    )
    assert response.status_code == 201, response.content
    master = Master.objects.for_label(team.label).get()
    # Names are kept as sent, less what Django's parser strips (directories, controls).
    if name in ("CON.wav", "ny låt \u2013 slutmix (v3) ✓.wav"):
        assert master.original_name == name
    assert not set(master.original_name) & {"/", "\\", "\x00", "\r", "\n"}
    # The storage name is the digest alone; no part of the name reaches the disk.
    stored = [p.relative_to(_media_root).as_posix() for p in _media_root.rglob("*") if p.is_file()]
    assert stored == [
        f"blobs/sha256/{master.received_sha256[:2]}/{master.received_sha256[2:4]}/{master.received_sha256}"
    ]
    download = client.get(
        reverse("catalog:master_download", kwargs={"slug": team.label.slug, "code": master.code})
    )
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition
    # RFC 6266: a quoted ASCII name, or an RFC 5987 UTF-8 name with every other byte escaped.
    assert re.fullmatch(r'attachment; filename="[^"\\]*"', disposition) or re.fullmatch(
        r"attachment; filename\*=utf-8''[A-Za-z0-9%._~!$&'()*+,;=:@-]+", disposition, re.I
    ), disposition
    assert body_of(download) == samples["wav16"].read_bytes()
    logged = LedgerEntry.objects.for_label(team.label).get(action="blob.downloaded")
    assert logged.actor == team.a_r and logged.object_code == str(master.code)


def test_the_upload_page_checks_the_csrf_token_after_taking_over_the_upload(
    team: Team,
    recording: Recording,
    samples: dict[str, Path],
    _media_root: Path,
    _private_upload_dir: Path,
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.a_r)
    page = client.get(masters_url(team))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None

    refused = post_file(client, masters_url(team), samples["wav16"], recording=recording.isrc)
    assert refused.status_code == 403
    _nothing_stored(team, _media_root, _private_upload_dir)

    with samples["wav16"].open("rb") as handle:
        accepted = client.post(
            masters_url(team),
            {"csrfmiddlewaretoken": token.group(1), "recording": recording.isrc, "file": handle},
        )
    assert accepted.status_code == 302
    assert Master.objects.for_label(team.label).count() == 1
