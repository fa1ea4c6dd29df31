from __future__ import annotations

import hashlib
import io
import os
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.test import RequestFactory

from optout.lib.files import attachment_header, safe_filename
from optout.lib.hashing import sha256_file
from optout.models import Blob, LedgerEntry
from optout.services.blobs import (
    blob_download_response,
    blob_store,
    blob_store_bytes,
    blob_store_upload,
    blob_verify,
)
from optout.uploads import HashedUploadedFile, HashingUploadHandler, use_hashing_uploads
from tests.conftest import Team

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = [
    "../../etc/passwd",
    "/abs/path.wav",
    "C:\\win\\x.wav",
    "nul\x00byte.wav",
    "\u202egnp.exe",
    "CON",
    "con.txt",
    "a" * 300 + ".wav",
    "line\r\nbreak.wav",
    'quote".wav',
    "%2e%2e/x.wav",
    "..",
    ".",
    "",
    " ",
    ".hidden",
    "Ångström — ♪.flac",
    "日本語.mp3",
    "semi;colon.wav",
]


def test_it_stores_bytes_under_their_digest_once_per_label(team: Team, _media_root: Path) -> None:
    data = b"RIFF....WAVEfmt " + os.urandom(5000)
    blob = blob_store_bytes(label=team.label, data=data, actor=team.owner)
    again = blob_store_bytes(label=team.label, data=data, actor=team.a_r)
    assert again.pk == blob.pk
    assert blob.sha256 == hashlib.sha256(data).hexdigest() and blob.size == len(data)
    assert blob.storage_name == f"blobs/sha256/{blob.sha256[:2]}/{blob.sha256[2:4]}/{blob.sha256}"
    assert (_media_root / blob.storage_name).read_bytes() == data
    assert LedgerEntry.objects.for_label(team.label).filter(action="blob.stored").count() == 1
    other = blob_store_bytes(label=team.other_label, data=data, actor=team.outsider)
    assert other.pk != blob.pk and other.label == team.other_label


@pytest.mark.parametrize(
    ("maker", "expected"),
    [
        (
            ["sox", "-n", "-r", "8000", "-c", "1", "{out}.wav", "synth", "0.2", "sine", "440"],
            "audio/wav",
        ),
        (
            ["sox", "-n", "-r", "8000", "-c", "1", "{out}.flac", "synth", "0.2", "sine", "440"],
            "audio/flac",
        ),
        (
            ["sox", "-n", "-r", "8000", "-c", "1", "{out}.aiff", "synth", "0.2", "sine", "440"],
            "audio/aiff",
        ),
    ],
)
def test_media_types_come_from_the_bytes_not_the_name(
    team: Team, tmp_path: Path, maker: list[str], expected: str
) -> None:
    out = tmp_path / "audio"
    subprocess.run([a.format(out=out) for a in maker], check=True, capture_output=True)
    produced = next(tmp_path.glob("audio.*"))
    renamed = produced.rename(tmp_path / "misleading.pdf")
    with renamed.open("rb") as handle:
        blob = blob_store(label=team.label, source=handle, actor=team.owner)
    assert blob.media_type == expected


def test_it_hashes_large_streams_in_one_pass(team: Team, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    with source.open("wb") as handle:
        for _ in range(24):
            handle.write(os.urandom(1024 * 1024))
    with source.open("rb") as handle:
        blob = blob_store(label=team.label, source=handle, actor=team.owner)
    assert (
        blob.sha256
        == sha256_file(source).sha256
        == subprocess.run(
            ["sha256sum", str(source)], capture_output=True, text=True, check=True
        ).stdout.split()[0]
    )
    assert blob_verify(blob=blob) == blob.sha256


def test_it_refuses_a_stream_over_the_limit_and_keeps_nothing(team: Team, _media_root) -> None:
    from optout.lib.hashing import TooLarge

    with pytest.raises(TooLarge):
        blob_store(
            label=team.label, source=io.BytesIO(b"x" * 2048), actor=team.owner, max_bytes=1024
        )
    assert not Blob.objects.for_label(team.label).exists()
    assert not list(_media_root.rglob("*"))


def test_uploads_are_hashed_while_they_arrive(team: Team) -> None:
    payload = os.urandom(3 * 1024 * 1024 + 17)
    factory = RequestFactory()
    from django.core.files.uploadedfile import SimpleUploadedFile

    request = factory.post("/x/", {"file": SimpleUploadedFile("take 1.wav", payload)})
    use_hashing_uploads(request)
    assert isinstance(request.upload_handlers[0], HashingUploadHandler)
    upload = request.FILES["file"]
    assert isinstance(upload, HashedUploadedFile)
    assert upload.digest.sha256 == hashlib.sha256(payload).hexdigest()
    temp = Path(upload.temporary_file_path())
    blob = blob_store_upload(label=team.label, upload=upload, actor=team.a_r)
    assert blob.sha256 == hashlib.sha256(payload).hexdigest() and blob.size == len(payload)
    assert not temp.exists()  # moved into storage, not copied


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_file_names_never_reach_storage_or_headers(team: Team, name: str) -> None:
    blob = blob_store_bytes(
        label=team.label, data=name.encode("utf-8", "replace") + b"!", actor=team.owner
    )
    assert "/" not in blob.storage_name.removeprefix("blobs/sha256/").replace("/", "", 2)
    response = blob_download_response(blob=blob, filename=name, actor=team.owner)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition and "\x00" not in disposition
    safe = safe_filename(name)
    assert ".." not in safe.split("/") and "/" not in safe and "\\" not in safe
    assert not safe.startswith(".") and len(safe) <= 150
    if "filename*=" in disposition:
        encoded = disposition.split("filename*=utf-8''", 1)[1]
        assert unquote(encoded) == safe
    response.close()


def test_downloads_are_attachments_sandboxed_and_logged(team: Team) -> None:
    blob = blob_store_bytes(
        label=team.label, data=b"<html><script>alert(1)</script>", actor=team.owner
    )
    response = blob_download_response(blob=blob, filename="page.html", actor=team.counsel)
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert isinstance(response, FileResponse)
    assert response.getvalue() == b"<html><script>alert(1)</script>"
    entry = LedgerEntry.objects.for_label(team.label).order_by("-seq").first()
    assert entry is not None and entry.action == "blob.downloaded"
    assert entry.actor == team.counsel and entry.sha256 == blob.sha256


def test_rfc6266_header_for_non_ascii_names() -> None:
    header = attachment_header("Ångström ♪.flac")
    assert header == "attachment; filename*=utf-8''%C3%85ngstr%C3%B6m%20%E2%99%AA.flac"


def test_a_changed_stored_file_is_detected(team: Team, _media_root: Path) -> None:
    blob = blob_store_bytes(label=team.label, data=b"original", actor=team.owner)
    path = _media_root / blob.storage_name
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    assert blob_verify(blob=blob) == hashlib.sha256(b"tampered").hexdigest()
    path.unlink()
    assert blob_verify(blob=blob) is None
    assert not default_storage.exists(blob.storage_name)
