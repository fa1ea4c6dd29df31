"""A broker restart while a job runs: the worker process survives it and the job ends done."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from optout.models import Job
from optout.services.jobs import job_create
from tests.conftest import Team
from tests.job_kinds import lines
from tests.workers import RedisServer, Worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _finished(job: Job) -> Job | None:
    job.refresh_from_db()
    return job if job.is_finished else None


def test_a_job_running_while_redis_restarts_ends_done_and_the_worker_keeps_working(
    team: Team, private_redis: RedisServer, worker_factory: Any, tmp_path: Path
) -> None:
    # Two pool processes, as deployed: with one, the crash this guards against did not show.
    worker: Worker = worker_factory(concurrency=2)
    marker = tmp_path / "marker"
    with transaction.atomic():
        job = job_create(
            label=team.label,
            kind="test.slow",
            actor=team.owner,
            params={"marker": str(marker), "steps": 30, "sleep": 0.1},
        )
    wait_for(lambda: lines(marker), timeout=30, what="the job to start")
    private_redis.stop()
    time.sleep(3)  # a restart that takes a while: the worker's reconnects fail meanwhile
    private_redis.start()

    wait_for(lambda: _finished(job), timeout=90, what="the job after the restart")
    assert job.status == Job.Status.DONE, worker.output()
    assert worker.process is not None and worker.process.poll() is None, worker.output()
    assert "Unrecoverable error" not in worker.output()
    # The worker still takes new work from the restarted broker.
    with transaction.atomic():
        after = job_create(
            label=team.label,
            kind="test.slow",
            actor=team.owner,
            params={"marker": str(tmp_path / "after"), "steps": 1, "sleep": 0},
        )
    wait_for(lambda: _finished(after), timeout=60, what="a job queued after the restart")
    assert after.status == Job.Status.DONE, worker.output()
