"""Masters: real audio in every format (sox/ffmpeg), a recording to upload it to, and helpers
that go through the real upload page, API and job machinery."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Master, Recording, Release, ReleaseTrack, Work
from optout.models import Job
from optout.services.jobs import job_execute
from tests.catalog.audio.conftest import FORMATS, samples  # noqa: F401  (the samples fixture)
from tests.conftest import Team
from tests.policy.pki import Credential, make_credential

# What each sample is, read from its bytes.
EXPECTED_FORMAT = {
    "wav16": "wav",
    "wav24": "wav",
    "bwf": "bwf",
    "rf64": "rf64",
    "aiff": "aiff",
    "flac": "flac",
    "mp3": "mp3",
    "ogg": "ogg",
    "opus": "opus",
    "m4a": "m4a",
}
assert set(EXPECTED_FORMAT) == set(FORMATS)


def sha256sum(path: Path) -> str:
    """The digest by coreutils, independent of our hashing code."""
    out = subprocess.run(["sha256sum", str(path)], capture_output=True, text=True, check=True)
    return out.stdout.split()[0]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def body_of(response: Any) -> bytes:
    """The bytes of a (streaming) file response."""
    return b"".join(response.streaming_content)


@pytest.fixture(autouse=True)
def _private_upload_dir(settings: Any, tmp_path: Path) -> Path:
    """Uploads land in a directory of this test, so leftovers can be counted."""
    folder = tmp_path / "uploads"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.fixture
def recording(team: Team) -> Recording:
    label = team.label
    label.legal_name = "Label A AB"
    label.contact_email = "rights@label-a.example"
    label.terms_url = "https://label-a.example/ai-licensing"
    label.save()
    work = Work.objects.create(label=label, title="Nattens Ljus", iswc="T0345246801")
    found: Recording = Recording.objects.create(
        label=label,
        title="Nattens Ljus",
        isrc="SEABC2600001",
        display_artist="Åsa Exempel",
        p_line="℗ 2026 Label A AB",
        work=work,
    )
    release = Release.objects.create(
        label=label,
        title="Nattens Ljus",
        c_line="© 2026 Label A AB",
        release_date=date(2026, 3, 1),
    )
    ReleaseTrack.objects.create(label=label, release=release, recording=found, track_number=1)
    return found


@pytest.fixture
def other_recording(team: Team) -> Recording:
    found: Recording = Recording.objects.create(
        label=team.other_label, title="Not yours", isrc="GBXYZ2600001"
    )
    return found


def masters_url(team: Team) -> str:
    return reverse("catalog:masters", kwargs={"slug": team.label.slug})


def api_masters_url(team: Team) -> str:
    return reverse("api:catalog:masters", kwargs={"slug": team.label.slug})


def post_file(
    client: Client,
    url: str,
    path: Path,
    *,
    recording: str,
    name: str | None = None,
    **extra: Any,
) -> Any:
    with path.open("rb") as handle:
        data: dict[str, Any] = {"recording": recording, "file": handle}
        if name is not None:
            from django.core.files.uploadedfile import SimpleUploadedFile

            data["file"] = SimpleUploadedFile(name, path.read_bytes())
        return client.post(url, data, **extra)


def run_job(job: Job | None) -> Job:
    assert job is not None
    job_execute(code=str(job.code))
    job.refresh_from_db()
    return job


@pytest.fixture
def uploaded(team: Team, recording: Recording, samples: dict[str, Path]) -> Callable[..., Master]:  # noqa: F811
    """Upload a sample through the API as the A&R member; the master, not yet processed."""
    client = team.client_for(team.a_r)

    def upload(fmt: str, *, process: bool = False) -> Master:
        response = post_file(
            client, api_masters_url(team), samples[fmt], recording=str(recording.code)
        )
        assert response.status_code == 201, response.content
        master: Master = Master.objects.for_label(team.label).get(code=response.json()["id"])
        if process:
            run_job(master.job)
            master.refresh_from_db()
        return master

    return upload


def give_signing_credential(team: Team) -> Credential:
    """Label A signs its tagged copies (C2PA) with a new test credential, returned."""
    from optout.policy.services.signing import signing_credential_set

    credential = make_credential()
    signing_credential_set(
        label=team.label,
        actor=team.owner,
        cert_chain_pem=credential.chain_pem,
        private_key_pem=credential.key_pem,
    )
    return credential


def stored_path(media_root: Path, sha256: str) -> Path:
    return media_root / "blobs" / "sha256" / sha256[:2] / sha256[2:4] / sha256


# The local RFC 3161 authority (tests/evidence/tsa.py), for timestamped C2PA signatures.
from tests.evidence.tsa import local_tsa, tsa_pki  # noqa: E402, F401
