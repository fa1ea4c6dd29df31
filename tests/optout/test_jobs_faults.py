"""Jobs after a fault: the database going away mid-run, a worker killed mid-file."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from optout.lib.tempfiles import job_temp_root
from optout.models import Job
from optout.services.jobs import job_create, job_execute
from optout.tasks import sweep_job_files
from tests.conftest import Team


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_database_went_away_is_shown_as_retrying_once_it_is_back(
    team: Team, tmp_path: Path
) -> None:
    with transaction.atomic():
        job = job_create(
            label=team.label, kind="test.database_gone", actor=team.owner, params={"down": 2}
        )
    started = time.monotonic()
    job_execute(code=str(job.code))

    assert time.monotonic() - started >= 2  # it waited for the database to come back
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING  # to be retried, not "running" until the lease ends
    assert job.lease_token is None and job.lease_until is None
    assert job.attempts == 1
    assert job.not_before is not None  # when the retry is due
    assert "The database was unavailable while the job ran" in job.error
    assert "OperationalError" in job.error


def _leftover(code: str, *, age_s: float) -> Path:
    """A half-written file in the job's temporary folder, as a killed worker leaves it."""
    folder = job_temp_root() / code
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "packet-x.zip"
    path.write_bytes(b"\0" * 4096)
    then = time.time() - age_s
    for target in (path, folder):
        os.utime(target, (then, then))
    return path


@pytest.mark.django_db
def test_a_jobs_temporary_files_live_in_its_folder_and_go_when_it_ends(
    team: Team, settings: Any, tmp_path: Path
) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    job = job_create(label=team.label, kind="test.temp_file", actor=team.owner)
    job_execute(code=str(job.code))

    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    written = Path(job.result["path"])
    assert written.parent == job_temp_root() / str(job.code)
    assert not written.exists() and not written.parent.exists()


@pytest.mark.django_db
def test_the_sweep_removes_files_of_ended_jobs_and_keeps_those_of_running_ones(
    team: Team, settings: Any, tmp_path: Path
) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    lease = settings.OPTOUT_JOB_LEASE_SECONDS
    failed, running, done = (
        job_create(label=team.label, kind="test.slow", actor=team.owner) for _ in range(3)
    )
    Job.objects.unscoped().filter(pk=failed.pk).update(status=Job.Status.FAILED)
    Job.objects.unscoped().filter(pk=done.pk).update(status=Job.Status.DONE)
    Job.objects.unscoped().filter(pk=running.pk).update(status=Job.Status.RUNNING)
    of_failed = _leftover(str(failed.code), age_s=lease + 60)
    of_running = _leftover(str(running.code), age_s=lease * 100)
    of_done_just_now = _leftover(str(done.code), age_s=0)
    of_unknown = _leftover(str(uuid.uuid4()), age_s=lease + 60)
    outside = job_temp_root().parent / "resumable" / "x.part"
    outside.parent.mkdir(parents=True)
    outside.write_bytes(b"an upload being resumed")

    sweep_job_files.apply()

    assert not of_failed.parent.exists() and not of_unknown.parent.exists()
    assert of_running.exists()
    assert of_done_just_now.exists()  # younger than a lease: left for the next sweep
    assert outside.exists()
    assert settings.CELERY_BEAT_SCHEDULE["sweep-job-files"]["task"] == "optout.sweep_job_files"
