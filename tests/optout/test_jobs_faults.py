"""Jobs after a fault: the database going away mid-run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.db import transaction

from optout.models import Job
from optout.services.jobs import job_create, job_execute
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
