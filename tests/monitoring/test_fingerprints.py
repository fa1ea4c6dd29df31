"""Every master that reaches ready is fingerprinted by a job; the back-fill command does the
ones that were ready before; new versions and flagged masters change what the index holds."""

from __future__ import annotations

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Master, Recording
from monitoring.audio import FRAME_SECONDS, unpack
from monitoring.models import Fingerprint, Suspect
from monitoring.selectors import (
    index_fingerprint_ids,
    index_status,
    index_version,
    label_index,
)
from monitoring.services.fingerprints import FINGERPRINT, FINGERPRINT_BACKFILL
from optout.models import Job
from tests.conftest import Team
from tests.monitoring.audio import sox
from tests.monitoring.conftest import SEEDS, check, fingerprint_of, run_job, upload_master

pytestmark = pytest.mark.django_db


def fpcalc_values(path: Path) -> list[int]:
    """The raw fingerprint by Chromaprint's own command-line tool (it exits 3 at the end of
    every file on this build while printing a correct fingerprint)."""
    done = subprocess.run(
        ["fpcalc", "-raw", "-length", "0", str(path)], capture_output=True, text=True
    )
    assert done.returncode in (0, 3), done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("FINGERPRINT="))
    return [int(v) & 0xFFFFFFFF for v in line.split("=", 1)[1].split(",")]


def test_a_ready_master_gets_a_fingerprint_job_and_its_values(
    team: Team, tracks: dict[int, Path], tmp_path: Path
) -> None:
    recording = Recording.objects.create(label=team.label, title="One", isrc="SEABC2600001")
    master = upload_master(team, recording, tracks[SEEDS[0]], tmp_path)
    fingerprint = fingerprint_of(master)
    assert fingerprint.status == Fingerprint.Status.PENDING
    assert fingerprint.job is not None and fingerprint.job.kind == FINGERPRINT
    assert run_job(fingerprint.job).status == Job.Status.DONE
    fingerprint.refresh_from_db()
    values = unpack(bytes(fingerprint.values))
    assert fingerprint.status == Fingerprint.Status.READY
    assert fingerprint.frames == len(values)
    assert fingerprint.duration_ms is not None
    assert abs(fingerprint.duration_ms - 75_000) < 50
    assert abs(len(values) * FRAME_SECONDS - 75) < 3
    # The same stream as fpcalc reads from the file (both decode with FFmpeg).
    reference = fpcalc_values(tracks[SEEDS[0]])
    same = sum(a == b for a, b in zip(values, reference, strict=False))
    assert same / min(len(values), len(reference)) > 0.9
    # Running the job again (a duplicate delivery) changes nothing.
    assert fingerprint_of(master).values == fingerprint.values


def test_a_new_version_replaces_the_reference_and_a_flagged_master_leaves(
    team: Team, tracks: dict[int, Path], tmp_path: Path
) -> None:
    recording = Recording.objects.create(label=team.label, title="One", isrc="SEABC2600001")
    first = upload_master(team, recording, tracks[SEEDS[0]], tmp_path)
    run_job(fingerprint_of(first).job)
    assert index_fingerprint_ids(label=team.label) == (fingerprint_of(first).pk,)
    second = upload_master(team, recording, tracks[SEEDS[1]], tmp_path)
    # Until the new version is fingerprinted, the recording keeps its old reference.
    assert index_fingerprint_ids(label=team.label) == (fingerprint_of(first).pk,)
    before = index_version(label=team.label)
    run_job(fingerprint_of(second).job)
    assert index_version(label=team.label) > before
    assert index_fingerprint_ids(label=team.label) == (fingerprint_of(second).pk,)
    assert len(label_index(label=team.label)) == 1
    Master.objects.for_label(team.label).filter(pk=second.pk).update(
        status=Master.Status.FLAGGED, is_current=False
    )
    assert index_fingerprint_ids(label=team.label) == (fingerprint_of(first).pk,)
    Master.objects.for_label(team.label).filter(pk=first.pk).update(
        status=Master.Status.FLAGGED, is_current=False
    )
    assert index_fingerprint_ids(label=team.label) == ()
    # The catalog does not tell monitoring about a flag: this worker's index still holds
    # the master, but a search drops the hit and moves the version on, so every worker
    # reloads.
    version = index_version(label=team.label)
    assert len(label_index(label=team.label)) == 1
    suspect = check(team, tracks[SEEDS[1]], tmp_path)
    assert suspect.status == Suspect.Status.DONE
    assert list(suspect.matches.all()) == []
    assert index_version(label=team.label) == version + 1
    assert len(label_index(label=team.label)) == 0


def test_backfill_fingerprints_each_master_once_and_resumes(
    team: Team, tracks: dict[int, Path], tmp_path: Path
) -> None:
    masters = []
    for number, seed in enumerate(SEEDS, start=1):
        recording = Recording.objects.create(
            label=team.label, title=f"T{seed}", isrc=f"SEABC26{number:05d}"
        )
        masters.append(upload_master(team, recording, tracks[seed], tmp_path))
    # As if the masters were ready before fingerprinting existed.
    Fingerprint.objects.for_label(team.label).all().delete()
    Job.objects.for_label(team.label).filter(kind=FINGERPRINT).delete()
    assert index_status(label=team.label).missing == 3

    out = StringIO()
    call_command("fingerprint_masters", "--label", team.label.slug, stdout=out)
    assert "3 master(s) lack a fingerprint" in out.getvalue()
    job = Job.objects.for_label(team.label).get(kind=FINGERPRINT_BACKFILL)
    # A run killed after the first master: that one is kept, the re-run does the rest.
    from monitoring.services.fingerprints import fingerprint_compute

    done_first = fingerprint_compute(master=masters[0])
    stamp = done_first.fingerprinted_at
    assert run_job(job).status == Job.Status.DONE
    assert job.result == {"fingerprinted": 2, "failed": 0}
    assert fingerprint_of(masters[0]).fingerprinted_at == stamp
    status = index_status(label=team.label)
    assert (status.fingerprinted, status.pending, status.missing) == (3, 0, 0)
    call_command("fingerprint_masters", "--label", team.label.slug, stdout=StringIO())
    again = Job.objects.for_label(team.label).filter(kind=FINGERPRINT_BACKFILL).latest("pk")
    assert run_job(again).result == {"fingerprinted": 0, "failed": 0}


def test_a_master_too_short_to_fingerprint_is_counted_failed_with_its_reason(
    team: Team, tracks: dict[int, Path], tmp_path: Path
) -> None:
    # A three-second station sting: the catalog takes it, fingerprints need five seconds.
    sting = sox(tracks[SEEDS[0]], tmp_path / "sting.wav", "trim", "0", "3")
    short = Recording.objects.create(label=team.label, title="Station sting", isrc="SEABC2600009")
    failing = upload_master(team, short, sting, tmp_path)
    song = Recording.objects.create(label=team.label, title="Song", isrc="SEABC2600001")
    fine = upload_master(team, song, tracks[SEEDS[1]], tmp_path)
    assert run_job(fingerprint_of(fine).job).status == Job.Status.DONE
    job = run_job(fingerprint_of(failing).job)
    reason = "The file holds 3.0 s of audio; at least 5 s are needed."
    assert job.status == Job.Status.FAILED and job.error == reason
    assert fingerprint_of(failing).status == Fingerprint.Status.FAILED

    viewer = team.client_for(team.viewer)
    status = viewer.get(reverse("api:monitoring:fingerprints", kwargs={"slug": "label-a"})).json()
    counts = ("masters_ready", "fingerprinted", "pending", "failed", "missing")
    assert [status[key] for key in counts] == [2, 1, 0, 1, 0]
    assert status["indexed_recordings"] == 1
    assert status["failures"] == [{
        "master": str(failing.code), "recording": str(short.code), "title": "Station sting",
        "isrc": "SEABC2600009", "version": 1, "file": "sting.wav", "reason": reason,
    }]  # fmt: skip
    # The index status on the page names the master and says why.
    page = viewer.get(reverse("monitoring:index", kwargs={"slug": "label-a"})).content.decode()
    assert "Masters that could not be fingerprinted" in page
    assert reason in page and "Station sting" in page
    assert reverse("catalog:master", kwargs={"slug": "label-a", "code": failing.code}) in page
    other = team.client_for(team.outsider).get(
        reverse("api:monitoring:fingerprints", kwargs={"slug": "label-b"})
    )
    assert other.json()["failed"] == 0 and other.json()["failures"] == []


def test_backfill_command_needs_a_known_label(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No label"):
        call_command("fingerprint_masters", "--label", "nope", stdout=StringIO())
