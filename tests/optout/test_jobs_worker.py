"""Jobs across a real Celery worker process, its crashes and a broker that forgets."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from optout.models import Job
from optout.services.jobs import job_create
from tests.conftest import Team
from tests.job_kinds import lines
from tests.workers import RedisServer, Worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _create(team: Team, marker: Path, kind: str = "test.slow", **params: Any) -> Job:
    with transaction.atomic():
        return job_create(
            label=team.label,
            kind=kind,
            actor=team.owner,
            params={"marker": str(marker), **params},
            title=kind,
        )


def _finished(job: Job) -> Job | None:
    job.refresh_from_db()
    return job if job.is_finished else None


def test_a_worker_runs_a_queued_job(team: Team, celery_worker: Worker, tmp_path: Path) -> None:
    job = _create(team, tmp_path / "m", steps=3, sleep=0.05)
    wait_for(lambda: _finished(job), timeout=30, what="the job")
    assert job.status == "done", celery_worker.output()
    assert job.progress == 100 and job.attempts == 1


def test_the_ledger_verification_job_runs_in_the_worker(team: Team, celery_worker: Worker) -> None:
    with transaction.atomic():
        job = job_create(label=team.label, kind="ledger.verify", actor=team.owner)
    wait_for(lambda: _finished(job), timeout=30, what="the verification")
    assert job.status == "done", celery_worker.output()
    assert job.result["ok"] is True and job.result["entries"] >= 6


def test_a_job_survives_kill_9_of_the_pool_child_and_completes_once(
    team: Team, celery_worker: Worker, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    job = _create(team, marker, steps=20, sleep=0.15)
    started = wait_for(
        lambda: [x for x in lines(marker) if x.startswith("start")],
        timeout=30,
        what="the job to start",
    )
    child_pid = int(started[0].split()[2])
    os.kill(child_pid, signal.SIGKILL)
    wait_for(lambda: _finished(job), timeout=60, what="the job to finish after the kill")
    assert job.status == "done", celery_worker.output()
    done = [x for x in lines(marker) if x.startswith("done")]
    assert len(done) == 1, lines(marker)
    assert job.attempts == 2
    assert int(done[0].split()[2]) != child_pid


def test_a_job_survives_kill_9_of_the_whole_worker(
    team: Team, worker_factory: Any, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    first: Worker = worker_factory()
    job = _create(team, marker, steps=20, sleep=0.15)
    wait_for(lambda: lines(marker), timeout=30, what="the job to start")
    first.kill_everything()
    worker_factory()
    wait_for(lambda: _finished(job), timeout=60, what="the job after the new worker started")
    assert job.status == "done"
    assert len([x for x in lines(marker) if x.startswith("done")]) == 1


def test_jobs_queued_before_a_redis_restart_all_complete_through_the_sweeper(
    team: Team, private_redis: RedisServer, worker_factory: Any, tmp_path: Path
) -> None:
    jobs = [_create(team, tmp_path / f"m{i}", steps=1, sleep=0) for i in range(10)]
    assert private_redis.queue_length() == 10
    private_redis.restart()
    assert private_redis.queue_length() == 0  # the broker forgot every message
    worker_factory()
    for job in jobs:
        wait_for(lambda job=job: _finished(job), timeout=60, what=f"job {job.code}")
        assert job.status == "done"
    assert sum(len(lines(tmp_path / f"m{i}")) for i in range(10)) == 20  # start + done each


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs(
    team: Team, private_redis: RedisServer, celery_worker: Worker, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    with pytest.raises(RuntimeError), transaction.atomic():
        job_create(
            label=team.label,
            kind="test.slow",
            actor=team.owner,
            params={"marker": str(marker), "steps": 1, "sleep": 0},
        )
        raise RuntimeError("rolled back")
    # A job committed afterwards runs, so the worker was there to run the first one.
    control = _create(team, tmp_path / "control", steps=1, sleep=0)
    wait_for(lambda: _finished(control), timeout=30, what="the control job")
    assert not marker.exists()
    assert Job.objects.for_label(team.label).filter(kind="test.slow").count() == 1
    assert private_redis.queue_length() == 0


def test_a_job_that_always_crashes_its_worker_ends_failed_after_max_attempts(
    team: Team, celery_worker: Worker, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    job = _create(team, marker, kind="test.crash")
    wait_for(lambda: _finished(job), timeout=90, what="the poison job to be given up")
    assert job.status == "failed"
    assert job.attempts == job.max_attempts == 3
    assert len(lines(marker)) == 3
    assert "tried 3 times" in job.error


def test_a_job_that_always_raises_ends_failed_after_max_attempts(
    team: Team, celery_worker: Worker, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    job = _create(team, marker, kind="test.raise")
    wait_for(lambda: _finished(job), timeout=60, what="the failing job to be given up")
    assert job.status == "failed" and job.attempts == 3
    assert "disk on fire" in job.error and len(lines(marker)) == 3
