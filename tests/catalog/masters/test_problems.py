"""What the check finds in the way of using a master as it is, and crashes around it: an
embedded ISRC that is not the recording's (asked before a tagged copy replaces it), a
truncated WAV (kept, never tagged), a signing failure (the copy fails with the reason) and
a check retried after its worker died (one custody entry per step)."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.audio.tagmap import mutagen
from catalog.models import Master, MasterTaggedCopy, Recording
from catalog.services import masters as master_services
from optout.models import Job, LedgerEntry
from optout.services.jobs import job_execute
from optout.services.ledger import ledger_verify
from tests.catalog.masters.conftest import (
    api_masters_url,
    body_of,
    give_signing_credential,
    post_file,
    run_job,
)
from tests.conftest import Team
from tests.evidence.tsa import LocalTsa

pytestmark = pytest.mark.django_db

File: Any = mutagen("_file").File


def _sh(*command: str) -> None:
    subprocess.run(command, capture_output=True, check=True, timeout=60)


@pytest.fixture
def source_wav(tmp_path: Path) -> Path:
    path = tmp_path / "source.wav"
    _sh("sox", "-n", "-r", "44100", "-c", "2", "-b", "16", str(path), "synth", "0.5", "sine", "440")
    return path


@pytest.fixture
def tagged_flac(tmp_path: Path, source_wav: Path) -> Path:
    """A FLAC whose Vorbis comment says ISRC=SEA1B2600002."""
    path = tmp_path / "take.flac"
    _sh("ffmpeg", "-v", "error", "-y", "-i", str(source_wav), "-metadata", "ISRC=SEA1B2600002",
        str(path))  # fmt: skip
    assert File(path).tags["ISRC"] == ["SEA1B2600002"]
    return path


@pytest.fixture
def tagged_mp3(tmp_path: Path, source_wav: Path) -> Path:
    """An MP3 whose ID3v2.4 TSRC frame says SEA1B2600002."""
    path = tmp_path / "take.mp3"
    _sh("ffmpeg", "-v", "error", "-y", "-i", str(source_wav), "-c:a", "libmp3lame",
        "-id3v2_version", "4", "-metadata", "TSRC=SEA1B2600002", str(path))  # fmt: skip
    assert File(path).tags.getall("TSRC")[0].text == ["SEA1B2600002"]
    return path


@pytest.fixture
def truncated_wav(tmp_path: Path, source_wav: Path) -> Path:
    """The WAV cut short with head -c: the data chunk's header claims more than is there."""
    path = tmp_path / "cut.wav"
    with path.open("wb") as out:
        subprocess.run(["head", "-c", "40000", str(source_wav)], stdout=out, check=True)
    assert source_wav.stat().st_size > 80000
    return path


@pytest.fixture
def track(team: Team) -> Recording:
    found: Recording = Recording.objects.create(
        label=team.label, title="Take", isrc="SEA1B2600001", display_artist="The Band"
    )
    return found


def _upload(team: Team, recording: Recording, path: Path) -> Master:
    response = post_file(
        team.client_for(team.a_r), api_masters_url(team), path, recording=str(recording.code)
    )
    assert response.status_code == 201, response.content
    master: Master = Master.objects.for_label(team.label).get(code=response.json()["id"])
    return master


def _checked(team: Team, recording: Recording, path: Path) -> Master:
    master = _upload(team, recording, path)
    job = run_job(master.job)
    assert job.status == Job.Status.DONE, job.error
    master.refresh_from_db()
    return master


def _master_api(team: Team, master: Master, tail: str = "") -> str:
    return f"{api_masters_url(team)}{master.code}/{tail}"


def _page(team: Team, master: Master) -> str:
    url = reverse("catalog:master", kwargs={"slug": team.label.slug, "code": master.code})
    return str(team.client_for(team.a_r).get(url).content.decode())


# --- ISRC in the file --------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["tagged_flac", "tagged_mp3"])
def test_an_embedded_isrc_that_is_not_the_recordings_is_a_problem_of_the_master(
    fixture: str, team: Team, track: Recording, request: pytest.FixtureRequest
) -> None:
    master = _checked(team, track, request.getfixturevalue(fixture))
    assert master.status == Master.Status.READY  # still a usable master
    detail = team.client_for(team.viewer).get(_master_api(team, master)).json()
    (problem,) = detail["problems"]
    assert problem["code"] == "isrc_mismatch"
    assert problem["params"] == {"found": "SEA1B2600002", "expected": "SEA1B2600001"}
    assert "SEA1B2600002" in problem["message"] and "SEA1B2600001" in problem["message"]
    page = _page(team, master)
    assert 'data-code="isrc_mismatch"' in page
    assert "The file carries the ISRC SEA1B2600002, but its recording" in page
    read = LedgerEntry.objects.for_label(team.label).get(action="master.metadata_read")
    assert read.data["problems"] == ["isrc_mismatch"]

    # Correcting the recording's ISRC clears it.
    track.isrc = "SEA1B2600002"
    track.save()
    assert team.client_for(team.viewer).get(_master_api(team, master)).json()["problems"] == []


def test_a_tagged_copy_replaces_an_embedded_isrc_only_when_confirmed(
    team: Team, track: Recording, tagged_flac: Path, tmp_path: Path
) -> None:
    master = _checked(team, track, tagged_flac)
    client = team.client_for(team.a_r)
    refused = client.post(_master_api(team, master, "tagged/"), {}, content_type="application/json")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "isrc_mismatch"
    assert "SEA1B2600002" in error["message"] and "SEA1B2600001" in error["message"]
    # GET would start a copy too; it asks the same way.
    assert client.get(_master_api(team, master, "tagged/")).status_code == 409
    assert not MasterTaggedCopy.objects.for_label(team.label).exists()

    started = client.post(
        _master_api(team, master, "tagged/"),
        {"confirm_isrc_overwrite": True},
        content_type="application/json",
    )
    assert started.status_code == 202, started.content
    copy = MasterTaggedCopy.objects.for_label(team.label).get(code=started.json()["id"])
    assert run_job(copy.job).status == Job.Status.DONE
    download = client.get(_master_api(team, master, "tagged/"))
    assert download.status_code == 200
    path = tmp_path / "copy.flac"
    path.write_bytes(body_of(download))
    assert File(path).tags["ISRC"] == ["SEA1B2600001"]
    made = LedgerEntry.objects.for_label(team.label).get(action="master.tagged_copy_made")
    assert made.data["replaces_isrc"] == "SEA1B2600002"
    assert made.data["recording_isrc"] == "SEA1B2600001"


def test_the_page_asks_before_replacing_an_embedded_isrc(
    team: Team, track: Recording, tagged_mp3: Path
) -> None:
    master = _checked(team, track, tagged_mp3)
    assert 'name="confirm_isrc_overwrite"' in _page(team, master)
    tag_url = reverse("catalog:master_tag", kwargs={"slug": team.label.slug, "code": master.code})
    client = team.client_for(team.a_r)
    refused = client.post(tag_url, follow=True)
    assert "Confirm that the copy should carry SEA1B2600001 instead" in refused.content.decode()
    assert not MasterTaggedCopy.objects.for_label(team.label).exists()
    client.post(tag_url, {"confirm_isrc_overwrite": "on"})
    assert MasterTaggedCopy.objects.for_label(team.label).get().status == "pending"


# --- truncated files ---------------------------------------------------------------------


def test_a_truncated_wav_is_kept_but_cannot_be_tagged(
    team: Team, track: Recording, truncated_wav: Path
) -> None:
    master = _checked(team, track, truncated_wav)
    assert master.status == Master.Status.READY
    (problem,) = team.client_for(team.viewer).get(_master_api(team, master)).json()["problems"]
    assert problem["code"] == "truncated_untaggable"
    assert "cannot be made" in problem["message"]
    read = LedgerEntry.objects.for_label(team.label).get(action="master.metadata_read")
    assert read.data["problems"] == ["truncated_untaggable"]

    page = _page(team, master)
    assert 'data-code="truncated_untaggable"' in page
    assert "Make a copy with rights metadata" not in page
    answer = team.client_for(team.a_r).post(_master_api(team, master, "tagged/"))
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "truncated"
    assert not MasterTaggedCopy.objects.for_label(team.label).exists()


# --- signing fails -----------------------------------------------------------------------


def test_a_copy_whose_signing_fails_is_failed_with_the_reason_and_can_be_retried(
    team: Team, track: Recording, source_wav: Path, local_tsa: LocalTsa, settings: Any
) -> None:
    from evidence.services.settings import evidence_settings_update

    give_signing_credential(team)
    # The label's timestamp authority does not answer: the signature cannot be made. The
    # operator allows its address (it passes the check made when it is saved); nothing
    # listens on it.
    settings.OPTOUT_FETCH_ALLOWED_HOSTS = [*settings.OPTOUT_FETCH_ALLOWED_HOSTS, "127.0.0.1:9"]
    evidence_settings_update(
        label=team.label,
        actor=team.owner,
        tsa_url="http://127.0.0.1:9/tsa",
        tsa_certificates=local_tsa.ca_pem,
    )
    master = _checked(team, track, source_wav)
    client = team.client_for(team.a_r)
    started = client.post(_master_api(team, master, "tagged/"))
    copy = MasterTaggedCopy.objects.for_label(team.label).get(code=started.json()["id"])
    job = run_job(copy.job)
    assert job.status == Job.Status.FAILED
    assert "could not be signed" in job.error

    copy.refresh_from_db()
    assert copy.status == MasterTaggedCopy.Status.FAILED and copy.blob is None
    assert copy.problem["code"] == "sign_failed"
    # Polling the copy stops at the failure, for every role, with the reason.
    for user in (team.a_r, team.viewer):
        answer = team.client_for(user).get(_master_api(team, master, "tagged/"))
        assert answer.status_code == 409
        error = answer.json()["error"]
        assert error["code"] == "copy_failed" and "could not be signed" in error["message"]
    page = _page(team, master)
    assert "The last attempt to make this copy failed: The copy could not be signed" in page
    assert "Make a copy with rights metadata" in page  # offered again

    # With the authority answering again, a new attempt makes the copy and signs it.
    evidence_settings_update(
        label=team.label, actor=team.owner, tsa_url=local_tsa.url, tsa_certificates=local_tsa.ca_pem
    )
    retried = client.post(_master_api(team, master, "tagged/"))
    assert retried.status_code == 202 and retried.json()["id"] == str(copy.code)
    assert retried.json()["status"] == "pending" and retried.json()["problem"] is None
    copy.refresh_from_db()
    assert run_job(copy.job).status == Job.Status.DONE
    copy.refresh_from_db()
    assert copy.status == MasterTaggedCopy.Status.READY and copy.result["c2pa"] == "signed"
    assert client.get(_master_api(team, master, "tagged/")).status_code == 200


# --- a check retried after its worker died -----------------------------------------------


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so the job runner records nothing."""


def test_a_check_retried_after_a_crash_writes_each_custody_entry_once(
    team: Team, track: Recording, source_wav: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    master = _upload(team, track, source_wav)
    read_audio = master_services._read_audio

    def die(*args: Any, **kwargs: Any) -> Any:
        raise Killed  # after the verified step committed

    monkeypatch.setattr(master_services, "_read_audio", die)
    assert master.job is not None
    with pytest.raises(Killed):
        job_execute(code=str(master.job.code))
    monkeypatch.setattr(master_services, "_read_audio", read_audio)
    # The dead worker's lease runs out; the next delivery runs the same job again.
    Job.objects.for_label(team.label).filter(pk=master.job.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    job = run_job(master.job)
    assert job.status == Job.Status.DONE and job.attempts == 2, job.error
    master.refresh_from_db()
    assert master.status == Master.Status.READY
    actions = list(
        LedgerEntry.objects.for_label(team.label)
        .filter(object_code=str(master.code))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["master.received", "master.verified", "master.metadata_read"]
    verified = LedgerEntry.objects.for_label(team.label).get(action="master.verified")
    assert verified.data["job"] == str(job.code)
    assert ledger_verify(label=team.label, check_files=True).ok

    # A new check (a new job) of the same master does get entries of its own.
    Master.objects.for_label(team.label).filter(pk=master.pk).update(
        status="flagged", is_current=False
    )
    recheck = team.client_for(team.a_r).post(_master_api(team, master, "check/"))
    assert recheck.status_code == 202
    master.refresh_from_db()
    run_job(master.job)
    assert LedgerEntry.objects.for_label(team.label).filter(action="master.verified").count() == 2
