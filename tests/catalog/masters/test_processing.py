"""The processing job: re-hash the stored file, probe it, keep one current master."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from catalog.models import Master, Recording
from catalog.services.masters import master_process
from optout.models import Job, LedgerEntry
from optout.services.ledger import ledger_verify
from tests.catalog.masters.conftest import api_masters_url, post_file, run_job, stored_path
from tests.conftest import Team
from tests.polling import assert_pollable

pytestmark = pytest.mark.django_db


def _actions(team: Team) -> list[str]:
    return list(
        LedgerEntry.objects.for_label(team.label)
        .filter(action__startswith="master.")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_a_ready_master_has_ledger_entries_for_each_step(
    team: Team, uploaded: Callable[..., Master]
) -> None:
    master = uploaded("bwf", process=True)
    assert master.status == Master.Status.READY
    assert _actions(team) == ["master.received", "master.verified", "master.metadata_read"]
    read = LedgerEntry.objects.for_label(team.label).get(action="master.metadata_read")
    assert read.data["format"] == "bwf"
    assert read.data["payload_sha256"] == master.payload_sha256
    assert read.sha256 == master.received_sha256
    assert master.bext["originator"] == "Studio X"
    assert ledger_verify(label=team.label, check_files=True).ok


def test_it_flags_a_master_whose_stored_bytes_changed_after_the_upload(
    team: Team, uploaded: Callable[..., Master], _media_root: Path
) -> None:
    master = uploaded("flac")
    stored = stored_path(_media_root, master.received_sha256)
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01
    stored.chmod(0o644)
    stored.write_bytes(bytes(data))

    job = run_job(master.job)
    master.refresh_from_db()
    assert master.status == Master.Status.FLAGGED
    assert master.problem["code"] == "hash_mismatch"
    assert master.verified_sha256 not in ("", master.received_sha256)
    assert "differs from the SHA-256 computed while it was received" in master.problem_message
    assert job.status == Job.Status.FAILED
    assert "stored bytes changed after the upload" in job.error
    assert not master.is_current
    assert _actions(team) == ["master.received", "master.flagged"]
    flagged = LedgerEntry.objects.for_label(team.label).get(action="master.flagged")
    assert flagged.data["stored_sha256"] == master.verified_sha256
    # The ledger's own check sees the changed file too.
    assert not ledger_verify(label=team.label, check_files=True).ok

    page = team.client_for(team.viewer).get(
        reverse("catalog:master", kwargs={"slug": team.label.slug, "code": master.code})
    )
    text = page.content.decode()
    assert "Flagged" in text and "the stored bytes changed after the upload" in text
    dashboard = team.client_for(team.viewer).get(
        reverse("dashboard", kwargs={"slug": team.label.slug})
    )
    assert "1 master is flagged" in dashboard.content.decode()


def test_it_flags_a_master_whose_stored_file_is_missing(
    team: Team, uploaded: Callable[..., Master], _media_root: Path
) -> None:
    master = uploaded("wav16")
    stored_path(_media_root, master.received_sha256).unlink()
    job = run_job(master.job)
    master.refresh_from_db()
    assert master.status == Master.Status.FLAGGED
    assert master.problem == {"code": "file_missing", "params": {}}
    assert job.status == Job.Status.FAILED and "missing" in job.error


@pytest.mark.parametrize(
    ("fmt", "damage"),
    [
        ("flac", lambda data: data[:120]),
        ("m4a", lambda data: data[:8] + b"\xff" * 64 + data[72:]),
        ("aiff", lambda data: data[:40]),
        ("ogg", lambda data: data[:60] + bytes(200)),
    ],
)
def test_a_file_that_does_not_read_as_audio_ends_as_a_failed_job_with_a_reason(
    fmt: str,
    damage: Callable[[bytes], bytes],
    team: Team,
    recording: Recording,
    samples: dict[str, Path],
    tmp_path: Path,
) -> None:
    broken = tmp_path / samples[fmt].name
    broken.write_bytes(damage(samples[fmt].read_bytes()))
    client = team.client_for(team.a_r)
    response = post_file(client, api_masters_url(team), broken, recording=str(recording.code))
    assert response.status_code == 201, response.content
    master = Master.objects.for_label(team.label).get()

    job = run_job(master.job)
    master.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert master.status == Master.Status.FAILED
    assert master.problem["code"] in {"damaged", "truncated", "no_audio", "unknown_format"}
    assert job.error == master.problem_message != ""
    assert job.attempts == 1  # a permanent failure: not retried
    assert _actions(team) == ["master.received", "master.verified", "master.unreadable"]
    detail = client.get(
        reverse("api:catalog:master", kwargs={"slug": team.label.slug, "id": master.code})
    ).json()
    assert detail["status"] == "failed"
    assert detail["problem"]["message"] == master.problem_message


def test_the_newest_ready_version_is_current(
    team: Team, recording: Recording, uploaded: Callable[..., Master]
) -> None:
    first = uploaded("wav16", process=True)
    second = uploaded("wav24")
    third = uploaded("flac", process=True)
    run_job(second.job)  # finishes after the newer version: it does not take over
    current = Master.objects.for_label(team.label).filter(recording=recording, is_current=True)
    assert [m.version for m in current] == [3]
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == Master.Status.READY and not second.is_current
    assert not first.is_current
    listing = team.client_for(team.viewer).get(api_masters_url(team), {"current": "true"}).json()
    assert [m["id"] for m in listing["results"]] == [str(third.code)]


def test_running_the_job_again_changes_nothing(team: Team, uploaded: Callable[..., Master]) -> None:
    master = uploaded("mp3", process=True)
    entries = LedgerEntry.objects.for_label(team.label).count()
    assert master_process(master=master, actor=None, progress=lambda *a: None) == {
        "status": "ready"
    }
    run_job(master.job)
    assert LedgerEntry.objects.for_label(team.label).count() == entries


def test_it_reports_each_step_as_progress(team: Team, uploaded: Callable[..., Master]) -> None:
    master = uploaded("aiff")
    seen: list[tuple[int, Any]] = []

    def progress(percent: float, step: str | None = None) -> None:
        seen.append((int(percent), step))

    master_process(master=master, actor=None, progress=progress)
    steps = [s for _p, s in seen if s]
    assert steps == [
        "Re-hashing the stored file",
        "Reading technical metadata and tags",
        "Hashing the audio payload",
        "Saving what was found",
    ]
    percents = [p for p, _s in seen]
    assert percents == sorted(percents) and percents[-1] >= 95


def test_the_page_shows_the_checks_live_and_stops_polling_when_settled(
    team: Team, uploaded: Callable[..., Master]
) -> None:
    master = uploaded("ogg")
    client = team.client_for(team.viewer)
    url = reverse("catalog:master", kwargs={"slug": team.label.slug, "code": master.code})
    page = client.get(url).content.decode()
    assert master.job is not None
    assert f'hx-get="{url}?part=live"' in page
    # One fragment polls: the job's progress inside it does not poll on its own.
    assert page.count("hx-get=") == 1
    assert (
        f'hx-get="{reverse("job", kwargs={"slug": team.label.slug, "code": master.job.code})}"'
        not in page
    )
    assert client.get(f"{url}?part=live", HTTP_HX_REQUEST="true").status_code == 200

    run_job(master.job)
    state = client.get(f"{url}?part=live", HTTP_HX_REQUEST="true")
    assert state.status_code == 286  # htmx stops polling
    text = state.content.decode()
    assert "Ready" in text and "Ogg Vorbis" in text and "kept comment" in text
    assert "hx-get" not in text


def test_a_flagged_master_is_checked_again_once_its_file_is_restored(
    team: Team, uploaded: Callable[..., Master], samples: dict[str, Path], _media_root: Path
) -> None:
    master = uploaded("wav24")
    stored = stored_path(_media_root, master.received_sha256)
    stored.write_bytes(b"damaged")
    run_job(master.job)
    master.refresh_from_db()
    assert master.status == Master.Status.FLAGGED

    client = team.client_for(team.a_r)
    url = reverse("api:catalog:master-check", kwargs={"slug": team.label.slug, "id": master.code})
    assert team.client_for(team.viewer).post(url).status_code == 403
    stored.write_bytes(samples["wav24"].read_bytes())  # restored from a backup
    response = client.post(url)
    assert response.status_code == 202
    assert response.json()["status"] == "received"
    # Location names the master, whose detail shows the new check's job.
    polled = assert_pollable(client, response, same_id=str(master.code))
    assert polled.json()["job"]["id"] == response.json()["job"]["id"]
    master.refresh_from_db()
    run_job(master.job)
    master.refresh_from_db()
    assert master.status == Master.Status.READY and master.is_current
    assert _actions(team) == [
        "master.received",
        "master.flagged",
        "master.recheck_requested",
        "master.verified",
        "master.metadata_read",
    ]
    again = client.post(url)
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_checkable"


def test_a_master_whose_check_stopped_can_be_checked_again_from_its_page(
    team: Team, uploaded: Callable[..., Master]
) -> None:
    master = uploaded("flac")
    assert master.job is not None
    # The job used all its attempts without an outcome (storage was down, say).
    Job.objects.for_label(team.label).filter(pk=master.job.pk).update(
        status=Job.Status.FAILED, error="OSError: storage unreachable (gave up after 3 attempts)"
    )
    client = team.client_for(team.a_r)
    page_url = reverse("catalog:master", kwargs={"slug": team.label.slug, "code": master.code})
    assert client.get(f"{page_url}?part=live", HTTP_HX_REQUEST="true").status_code == 286
    assert "Check again" in client.get(page_url).content.decode()
    response = client.post(
        reverse("catalog:master_check", kwargs={"slug": team.label.slug, "code": master.code})
    )
    assert response.status_code == 302
    master.refresh_from_db()
    run_job(master.job)
    master.refresh_from_db()
    assert master.status == Master.Status.READY
