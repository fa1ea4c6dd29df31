"""Resumable master uploads: pieces in order, a lost connection resumed, refusals, cleanup."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Master, Recording, ResumableUpload
from catalog.services.masters import MasterUploadError
from catalog.services.resumable_uploads import (
    resumable_upload_append,
    resumable_uploads_expire,
)
from optout.models import LedgerEntry
from optout.services.tokens import token_create
from tests.catalog.masters.conftest import leftovers, run_job, sha256sum
from tests.conftest import Team

pytestmark = pytest.mark.django_db


def uploads_url(team: Team) -> str:
    return reverse("api:catalog:resumable-uploads", kwargs={"slug": team.label.slug})


def upload_url(team: Team, code: Any) -> str:
    return reverse("api:catalog:resumable-upload", kwargs={"slug": team.label.slug, "id": code})


def start(client: Client, team: Team, recording: Recording, data: bytes, name: str) -> Any:
    response = client.post(
        uploads_url(team),
        {"recording": str(recording.code), "filename": name, "size": len(data)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def put(client: Client, url: str, piece: bytes, offset: int, **headers: str) -> Any:
    return client.generic(
        "PUT",
        url,
        piece,
        content_type="application/offset+octet-stream",
        headers={"Upload-Offset": str(offset), **headers},
    )


def checksum(piece: bytes) -> str:
    return "sha256 " + base64.b64encode(hashlib.sha256(piece).digest()).decode()


def parts(folder: Path) -> list[Path]:
    return [p for p in leftovers(folder) if p.suffix == ".part"]


def test_a_file_sent_in_pieces_becomes_a_master_with_the_same_hash(
    team: Team,
    recording: Recording,
    samples: dict[str, Path],
    _media_root: Path,
    _private_upload_dir: Path,
) -> None:
    data = samples["flac"].read_bytes()
    client = team.client_for(team.a_r)
    opened = start(client, team, recording, data, "take 1.flac")
    assert opened["offset"] == 0 and opened["status"] == "open" and opened["chunk_bytes"] > 0
    url = upload_url(team, opened["id"])
    third = len(data) // 3 + 1
    offset = 0
    answers = []
    while offset < len(data):
        piece = data[offset : offset + third]
        response = put(client, url, piece, offset, **{"Upload-Checksum": checksum(piece)})
        answers.append(response.status_code)
        offset = response.json()["offset"]
    assert answers == [200, 200, 201]

    body = response.json()
    master = Master.objects.for_label(team.label).get(code=body["master"]["id"])
    assert body["status"] == "done" and body["master"]["page"].endswith(f"{master.code}/")
    assert master.received_sha256 == sha256sum(samples["flac"])
    assert master.original_name == "take 1.flac" and master.uploaded_by == team.a_r
    assert LedgerEntry.objects.for_label(team.label).filter(action="master.received").count() == 1
    assert leftovers(_private_upload_dir) == []  # the part file became the blob
    assert run_job(master.job).status == "done"
    master.refresh_from_db()
    assert master.status == Master.Status.READY and master.format == "flac"


class _BrokenStream:
    """A request body whose connection drops after ``good`` bytes."""

    def __init__(self, data: bytes, good: int) -> None:
        self.data, self.good, self.sent = data, good, 0

    def read(self, size: int = -1) -> bytes:
        if self.sent >= self.good:
            raise OSError("connection reset by peer")
        piece = self.data[self.sent : min(self.sent + size, self.good)]
        self.sent += len(piece)
        return piece


def test_a_lost_connection_is_resumed_from_the_durable_offset(
    team: Team, recording: Recording, samples: dict[str, Path], _private_upload_dir: Path
) -> None:
    data = samples["wav16"].read_bytes()
    client = team.client_for(team.a_r)
    opened = start(client, team, recording, data, "take.wav")
    url = upload_url(team, opened["id"])
    half = len(data) // 2
    assert put(client, url, data[:half], 0).status_code == 200

    upload = ResumableUpload.objects.for_label(team.label).get(code=opened["id"])
    rest = data[half:]
    with pytest.raises(MasterUploadError) as broken:
        resumable_upload_append(
            upload=upload, offset=half, length=len(rest), stream=_BrokenStream(rest, 1000)
        )
    assert broken.value.code == "incomplete"
    # The cut piece is gone from disk; the offset did not move.
    assert [p.stat().st_size for p in parts(_private_upload_dir)] == [half]
    assert client.get(url).json()["offset"] == half

    # A client that lost track sends the wrong offset and is told where to go on.
    wrong = put(client, url, rest, 0)
    assert wrong.status_code == 409
    assert wrong.json()["error"]["code"] == "offset_mismatch" and wrong.json()["offset"] == half
    done = put(client, url, rest, half)
    assert done.status_code == 201
    master = Master.objects.for_label(team.label).get()
    assert master.received_sha256 == sha256sum(samples["wav16"])


@pytest.mark.django_db(transaction=True)
def test_a_real_connection_dropped_mid_piece_leaves_the_offset_where_it_was(
    team: Team,
    recording: Recording,
    samples: dict[str, Path],
    live_server: Any,
    _private_upload_dir: Path,
) -> None:
    data = samples["wav16"].read_bytes()
    client = team.client_for(team.a_r)
    opened = start(client, team, recording, data, "take.wav")
    url = upload_url(team, opened["id"])
    assert put(client, url, data[:1000], 0).status_code == 200

    _token, key = token_create(user=team.a_r, name="resume")
    host, port = urlsplit(live_server.url).hostname, urlsplit(live_server.url).port
    with socket.create_connection((host, port), timeout=10) as sock:
        head = (
            f"PUT {url} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Token {key}\r\n"
            f"Upload-Offset: 1000\r\nContent-Length: {len(data) - 1000}\r\n"
            "Content-Type: application/offset+octet-stream\r\n\r\n"
        )
        sock.sendall(head.encode() + data[1000:5000])  # then the line goes dead
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    # The server read what came, saw the body end early and kept nothing of the piece.
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b'"incomplete"' in answer
    status = client.get(url).json()
    assert status["offset"] == 1000 and status["status"] == "open"
    assert [p.stat().st_size for p in parts(_private_upload_dir)] == [1000]
    assert put(client, url, data[1000:], 1000).status_code == 201


def test_a_piece_that_does_not_match_its_checksum_is_refused_and_not_counted(
    team: Team, recording: Recording, samples: dict[str, Path], _private_upload_dir: Path
) -> None:
    data = samples["flac"].read_bytes()
    client = team.client_for(team.a_r)
    url = upload_url(team, start(client, team, recording, data, "a.flac")["id"])
    response = put(client, url, data[:5000], 0, **{"Upload-Checksum": checksum(b"other")})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "checksum_mismatch"
    assert response.json()["upload"]["offset"] == 0
    assert [p.stat().st_size for p in parts(_private_upload_dir)] == [0]
    bad_header = put(client, url, data[:10], 0, **{"Upload-Checksum": "md5 abc"})
    assert (
        bad_header.status_code == 400 and "Upload-Checksum" in bad_header.json()["error"]["fields"]
    )


def test_a_file_that_is_not_audio_is_refused_at_its_first_piece(
    team: Team, recording: Recording, _private_upload_dir: Path
) -> None:
    data = os.urandom(200_000)
    client = team.client_for(team.a_r)
    url = upload_url(team, start(client, team, recording, data, "notes.wav")["id"])
    response = put(client, url, data[:70_000], 0)
    assert response.status_code == 400
    assert response.json()["upload"]["status"] == "failed"
    assert response.json()["error"]["message"]
    assert parts(_private_upload_dir) == []
    again = put(client, url, data[70_000:], 70_000)
    assert again.status_code == 409 and again.json()["error"]["code"] == "upload_failed"
    assert not Master.objects.for_label(team.label).exists()


def test_the_same_file_twice_is_refused_when_it_is_complete(
    team: Team, recording: Recording, samples: dict[str, Path], _private_upload_dir: Path
) -> None:
    data = samples["mp3"].read_bytes()
    client = team.client_for(team.a_r)
    for _attempt in (1, 2):
        url = upload_url(team, start(client, team, recording, data, "x.mp3")["id"])
        response = put(client, url, data, 0)
    assert response.status_code == 400 and response.json()["error"]["code"] == "duplicate"
    assert Master.objects.for_label(team.label).count() == 1
    assert parts(_private_upload_dir) == []


def test_sizes_and_recordings_are_checked_before_anything_is_stored(
    team: Team, recording: Recording, other_recording: Recording, settings: Any
) -> None:
    client = team.client_for(team.a_r)
    settings.OPTOUT_UPLOAD_MAX_BYTES = 10_000
    too_big = client.post(
        uploads_url(team),
        {"recording": str(recording.code), "filename": "a.wav", "size": 10_001},
        content_type="application/json",
    )
    assert too_big.status_code == 400 and "size" in too_big.json()["error"]["fields"]
    foreign = client.post(
        uploads_url(team),
        {"recording": str(other_recording.code), "filename": "a.wav", "size": 100},
        content_type="application/json",
    )
    assert foreign.status_code == 400 and "recording" in foreign.json()["error"]["fields"]
    zero = client.post(
        uploads_url(team),
        {"recording": recording.isrc, "filename": "a.wav", "size": 0},
        content_type="application/json",
    )
    assert zero.status_code == 400
    assert not ResumableUpload.objects.for_label(team.label).exists()

    opened = start(client, team, recording, b"x" * 100, "a.wav")
    past = put(client, upload_url(team, opened["id"]), b"x" * 101, 0)
    assert past.status_code == 400 and past.json()["error"]["code"] == "too_large"
    no_offset = client.generic("PUT", upload_url(team, opened["id"]), b"x")
    assert no_offset.status_code == 400
    assert "Upload-Offset" in no_offset.json()["error"]["fields"]


def test_cancelling_frees_the_disk_and_closes_the_upload(
    team: Team, recording: Recording, _private_upload_dir: Path
) -> None:
    client = team.client_for(team.a_r)
    data = b"RIFF" + os.urandom(1000)
    url = upload_url(team, start(client, team, recording, data, "a.wav")["id"])
    assert parts(_private_upload_dir)
    assert client.delete(url).status_code == 204
    assert parts(_private_upload_dir) == []
    closed = put(client, url, data, 0)
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "upload_aborted"
    assert client.get(uploads_url(team)).json()["results"] == []


def test_an_upload_left_alone_expires_and_its_part_file_goes(
    team: Team, recording: Recording, _private_upload_dir: Path, settings: Any
) -> None:
    client = team.client_for(team.a_r)
    fresh = start(client, team, recording, b"x" * 50, "fresh.wav")
    stale = start(client, team, recording, b"x" * 50, "stale.wav")
    ResumableUpload.objects.for_label(team.label).filter(code=stale["id"]).update(
        updated_at=timezone.now() - timedelta(hours=settings.OPTOUT_UPLOAD_RESUME_HOURS + 1)
    )
    assert resumable_uploads_expire() == 1
    statuses = dict(ResumableUpload.objects.for_label(team.label).values_list("filename", "status"))
    assert statuses == {"fresh.wav": "open", "stale.wav": "expired"}
    assert [p.stem for p in parts(_private_upload_dir)] == [fresh["id"]]
    assert settings.CELERY_BEAT_SCHEDULE["expire-uploads"]["task"] == "catalog.expire_uploads"
    # The beat's task is found the way a worker finds it: Celery's autodiscovery.
    from optout.celery import app

    app.loader.import_default_modules()
    assert "catalog.expire_uploads" in app.tasks


def test_part_files_left_without_an_open_upload_are_removed_once_old(
    team: Team, recording: Recording, _private_upload_dir: Path, settings: Any
) -> None:
    client = team.client_for(team.a_r)
    kept = start(client, team, recording, b"x" * 50, "kept.wav")
    gone = start(client, team, recording, b"x" * 50, "gone.wav")
    # The recording of one upload is deleted: its row goes with it, its part file stays.
    ResumableUpload.objects.for_label(team.label).filter(code=gone["id"]).delete()
    stray = _private_upload_dir / "resumable" / "not-an-upload.part"
    stray.write_bytes(b"?")
    fresh_orphan = _private_upload_dir / "resumable" / f"{uuid.uuid4()}.part"
    fresh_orphan.write_bytes(b"?")
    old = timezone.now() - timedelta(hours=settings.OPTOUT_UPLOAD_RESUME_HOURS + 1)
    for part in parts(_private_upload_dir):
        if part != fresh_orphan:
            os.utime(part, (old.timestamp(), old.timestamp()))
    resumable_uploads_expire()
    # The open upload's file stays (its row is fresh), so does an orphan still young.
    assert sorted(p.name for p in parts(_private_upload_dir)) == sorted(
        [f"{kept['id']}.part", fresh_orphan.name]
    )


def test_open_uploads_are_listed_for_resuming(team: Team, recording: Recording) -> None:
    client = team.client_for(team.a_r)
    opened = start(client, team, recording, b"x" * 50, "a.wav")
    listed = client.get(uploads_url(team)).json()["results"]
    assert [u["id"] for u in listed] == [opened["id"]]
    assert listed[0]["expires_at"] and listed[0]["recording"] == str(recording.code)


def test_an_upload_whose_part_file_vanished_is_closed_with_the_reason(
    team: Team, recording: Recording, _private_upload_dir: Path
) -> None:
    client = team.client_for(team.a_r)
    data = b"RIFF" + os.urandom(1000)
    url = upload_url(team, start(client, team, recording, data, "a.wav")["id"])
    for part in parts(_private_upload_dir):
        part.unlink()
    response = put(client, url, data, 0)
    assert response.status_code == 400 and response.json()["error"]["code"] == "part_lost"
    assert client.get(url).json()["status"] == "failed"


@pytest.mark.parametrize("same_process", [True, False])
def test_the_last_piece_uses_the_running_hash_or_reads_the_file_once(
    team: Team,
    recording: Recording,
    samples: dict[str, Path],
    _media_root: Path,
    _private_upload_dir: Path,
    django_capture_on_commit_callbacks: Any,
    same_process: bool,
) -> None:
    from catalog.services import resumable_uploads

    data = samples["flac"].read_bytes()
    client = team.client_for(team.a_r)
    opened = start(client, team, recording, data, "take 1.flac")
    upload = ResumableUpload.objects.for_label(team.label).get(code=opened["id"])
    url = upload_url(team, opened["id"])
    half = len(data) // 2
    with django_capture_on_commit_callbacks(execute=True):
        assert put(client, url, data[:half], 0).status_code == 200
    kept = resumable_uploads._running_hash(upload, offset=half)
    assert kept is not None and kept.hexdigest() == hashlib.sha256(data[:half]).hexdigest()
    if not same_process:
        # As if the next piece went to another web worker: this one's state does not fit.
        resumable_uploads._RUNNING.clear()
        assert resumable_uploads._running_hash(upload, offset=half) is None
    response = put(client, url, data[half:], half)
    assert response.status_code == 201, response.content
    master = Master.objects.for_label(team.label).get(code=response.json()["master"]["id"])
    assert master.received_sha256 == sha256sum(samples["flac"])
    assert run_job(master.job).status == "done"
