"""Celery tasks of the core app: thin, JSON arguments only."""

from __future__ import annotations

from celery import shared_task

from optout.services.coverage import coverage_age_all, coverage_refresh_due
from optout.services.jobs import job_execute, job_files_sweep, jobs_sweep
from optout.services.ledger_anchors import ledger_anchors_schedule


# acks_late is safe here: the task only claims a row once (a second delivery of the same
# message finds the row claimed and returns), so redelivery after a lost worker cannot run
# the work twice.
@shared_task(name="optout.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_code: str) -> None:
    job_execute(code=job_code)


@shared_task(name="optout.sweep_jobs", acks_late=False, ignore_result=True)
def sweep_jobs() -> None:
    jobs_sweep()


@shared_task(name="optout.sweep_job_files", acks_late=False, ignore_result=True)
def sweep_job_files() -> None:
    job_files_sweep()


@shared_task(name="optout.anchor_ledgers", acks_late=False, ignore_result=True)
def anchor_ledgers() -> None:
    ledger_anchors_schedule()


@shared_task(name="optout.refresh_coverage", acks_late=False, ignore_result=True)
def refresh_coverage() -> None:
    coverage_refresh_due()


@shared_task(name="optout.age_coverage", acks_late=False, ignore_result=True)
def age_coverage() -> None:
    coverage_age_all()
