"""The job machinery in one process: claim once, retries, failures, the sweeper, enqueueing."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from optout.models import Job
from optout.services.jobs import job_claim, job_create, job_execute, jobs_sweep
from tests.conftest import Team
from tests.job_kinds import lines


def queued_job_codes() -> list[str]:
    """The job codes waiting in the real broker queue (kombu's JSON envelope, base64 body)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    codes = []
    for raw in client.lrange("celery", 0, -1):
        message = json.loads(raw)
        body = json.loads(base64.b64decode(message["body"]))
        codes.append(body[0][0])
    return codes


@pytest.fixture(autouse=True)
def _empty_queue() -> None:
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("celery")


def _job(team: Team, tmp_path: Path, kind: str = "test.slow", **params: Any) -> Job:
    params = {"marker": str(tmp_path / "marker"), "steps": 2, "sleep": 0, **params}
    return job_create(
        label=team.label, kind=kind, actor=team.owner, params=params, title="Test job"
    )


@pytest.mark.django_db
def test_it_queues_a_job_only_when_its_transaction_commits(
    team: Team, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = _job(team, tmp_path)
        assert queued_job_codes() == []
    assert len(callbacks) == 1
    assert queued_job_codes() == [str(job.code)]


@pytest.mark.django_db(transaction=True)
def test_a_job_created_in_a_rolled_back_transaction_leaves_no_row_and_no_message(
    team: Team, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _job(team, tmp_path)
        raise RuntimeError("the upload failed half-way")
    assert not Job.objects.for_label(team.label).exists()
    assert queued_job_codes() == []


@pytest.mark.django_db
def test_it_runs_a_job_and_records_progress_and_result(team: Team, tmp_path: Path) -> None:
    job = _job(team, tmp_path, steps=4)
    job_execute(code=str(job.code))
    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts, job.result) == ("done", 100, 1, {"steps": 4})
    assert job.started_at and job.finished_at and job.lease_token is None
    assert [line.split()[0] for line in lines(tmp_path / "marker")] == ["start", "done"]


@pytest.mark.django_db
def test_a_second_delivery_of_a_finished_job_does_nothing(team: Team, tmp_path: Path) -> None:
    job = _job(team, tmp_path)
    job_execute(code=str(job.code))
    job_execute(code=str(job.code))
    assert len(lines(tmp_path / "marker")) == 2
    job.refresh_from_db()
    assert job.attempts == 1


@pytest.mark.django_db
def test_a_delivery_while_another_worker_holds_the_lease_does_nothing(
    team: Team, tmp_path: Path
) -> None:
    job = _job(team, tmp_path)
    assert job_claim(code=str(job.code)) is not None
    job_execute(code=str(job.code))
    assert lines(tmp_path / "marker") == []
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_give_the_job_to_exactly_one(team: Team, tmp_path: Path) -> None:
    job = _job(team, tmp_path)
    results: list[object] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        try:
            results.append(job_claim(code=str(job.code)))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1


@pytest.mark.django_db
def test_a_refused_job_fails_at_once_with_its_reason(team: Team, tmp_path: Path) -> None:
    job = _job(team, tmp_path, kind="test.refuse")
    job_execute(code=str(job.code))
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("failed", 1, "The file is not a WAV file.")


@pytest.mark.django_db
def test_an_unexpected_error_is_retried_then_fails_after_max_attempts(
    team: Team, tmp_path: Path
) -> None:
    job = _job(team, tmp_path, kind="test.raise")
    assert job.max_attempts == 3
    for attempt in (1, 2):
        job_execute(code=str(job.code))
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("pending", attempt)
        assert "disk on fire" in job.error
    job_execute(code=str(job.code))
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 3
    assert "gave up after 3 attempts" in job.error
    job_execute(code=str(job.code))  # a late duplicate delivery changes nothing
    job.refresh_from_db()
    assert job.attempts == 3 and len(lines(tmp_path / "marker")) == 3


@pytest.mark.django_db
def test_the_sweeper_requeues_a_job_whose_worker_died(team: Team, tmp_path: Path) -> None:
    job = _job(team, tmp_path)
    assert job_claim(code=str(job.code)) is not None
    Job.objects.for_label(team.label).filter(pk=job.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    result = jobs_sweep()
    job.refresh_from_db()
    assert result.requeued == 1 and job.status == "pending"
    assert "stopped" in job.error
    assert queued_job_codes() == [str(job.code)]
    job_execute(code=str(job.code))
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)


@pytest.mark.django_db
def test_the_sweeper_fails_a_job_whose_worker_died_too_often(team: Team, tmp_path: Path) -> None:
    job = _job(team, tmp_path, kind="test.crash")
    past = timezone.now() - timedelta(seconds=1)
    for _ in range(job.max_attempts):
        assert job_claim(code=str(job.code)) is not None
        Job.objects.for_label(team.label).filter(pk=job.pk).update(lease_until=past)
        jobs_sweep()
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == job.max_attempts
    assert "tried 3 times" in job.error


@pytest.mark.django_db
def test_the_sweeper_requeues_pending_jobs_whose_message_may_be_lost(
    team: Team, tmp_path: Path
) -> None:
    fresh = _job(team, tmp_path)
    old = _job(team, tmp_path)
    Job.objects.for_label(team.label).filter(pk=old.pk).update(
        enqueued_at=timezone.now()
        - timedelta(seconds=settings.OPTOUT_JOB_PENDING_GRACE_SECONDS + 5)
    )
    assert jobs_sweep().requeued == 1
    assert queued_job_codes() == [str(old.code)]
    # Sent again just now: not sent a third time by the next sweep.
    assert jobs_sweep().requeued == 0
    fresh.refresh_from_db()
    assert fresh.enqueue_count == 1


@pytest.mark.django_db
def test_unknown_kinds_are_refused_when_created(team: Team) -> None:
    with pytest.raises(ValueError, match="Unknown job kind"):
        job_create(label=team.label, kind="no.such.kind", actor=team.owner)


@pytest.mark.django_db
def test_the_job_page_polls_until_the_job_ends(team: Team, tmp_path: Path) -> None:
    job = _job(team, tmp_path)
    client = team.client_for(team.viewer)
    url = f"/l/{team.label.slug}/jobs/{job.code}/"
    page = client.get(url)
    assert page.status_code == 200 and b'hx-trigger="every 1s"' in page.content
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and b"Waiting" in partial.content
    job_execute(code=str(job.code))
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 286  # htmx stops polling
    assert b"every 1s" not in done.content and b"Done" in done.content


@pytest.mark.django_db
def test_the_api_shows_a_jobs_live_state(team: Team, tmp_path: Path, api_token: str) -> None:
    from django.test import Client

    job = _job(team, tmp_path)
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token}")
    url = f"/api/v1/labels/{team.label.slug}/jobs/{job.code}/"
    assert client.get(url).json()["status"] == "pending"
    job_execute(code=str(job.code))
    body = client.get(url).json()
    assert (body["status"], body["progress"], body["id"]) == ("done", 100, str(job.code))
    assert "pk" not in body
