"""Job kinds of monitoring: thin adapters from a job's parameters to a service."""

from __future__ import annotations

from typing import Any

from monitoring.services.crawler_logs import CRAWLER_LOG_ANALYSE, crawler_log_for_job
from monitoring.services.fingerprints import (
    FINGERPRINT,
    FINGERPRINT_BACKFILL,
    fingerprint_backfill_run,
    fingerprint_master_for_job,
)
from monitoring.services.suspects import SUSPECT_CHECK, suspect_check_for_job
from optout.jobs import JobContext, job_kind


@job_kind(FINGERPRINT, max_attempts=3)
def fingerprint_job(ctx: JobContext) -> dict[str, Any]:
    return fingerprint_master_for_job(
        label=ctx.job.label, code=str(ctx.params["master"]), job=ctx.job, progress=ctx.progress
    )


@job_kind(FINGERPRINT_BACKFILL, max_attempts=3)
def fingerprint_backfill_job(ctx: JobContext) -> dict[str, Any]:
    return fingerprint_backfill_run(label=ctx.job.label, job=ctx.job, progress=ctx.progress)


@job_kind(SUSPECT_CHECK, max_attempts=3)
def suspect_check_job(ctx: JobContext) -> dict[str, Any]:
    return suspect_check_for_job(
        label=ctx.job.label, code=str(ctx.params["suspect"]), progress=ctx.progress
    )


@job_kind(CRAWLER_LOG_ANALYSE, max_attempts=2)
def crawler_log_analyse_job(ctx: JobContext) -> dict[str, Any]:
    return crawler_log_for_job(
        label=ctx.job.label, code=str(ctx.params["log"]), progress=ctx.progress
    )
