"""Job kinds of the core app."""

from __future__ import annotations

from typing import Any

from optout.jobs import JobContext, JobFailure, job_kind
from optout.ledger_anchoring import AnchorTokenError
from optout.services.coverage import REFRESH_JOB, coverage_refresh
from optout.services.ledger import ledger_verify_recorded
from optout.services.ledger_anchors import ANCHOR_JOB, ledger_anchor_create


@job_kind("ledger.verify", max_attempts=3)
def verify_ledger_job(ctx: JobContext) -> dict[str, Any]:
    ctx.progress(0, "Recomputing the chain and the file hashes")

    def progress(done: int, total: int) -> None:
        if total:
            ctx.progress(99 * done // total)

    return ledger_verify_recorded(
        label=ctx.job.label, actor=ctx.job.created_by, subject=ctx.job, on_progress=progress
    )


@job_kind(ANCHOR_JOB, max_attempts=5)
def anchor_ledger_job(ctx: JobContext) -> dict[str, Any]:
    ctx.progress(10, "Asking the timestamp authority")
    try:
        anchor = ledger_anchor_create(label=ctx.job.label)
    except AnchorTokenError as exc:
        if ctx.job.attempts >= ctx.job.max_attempts:
            raise JobFailure(f"No timestamp of the ledger's head: {exc}") from None
        raise  # the job machinery tries again later, with its backoff
    if anchor is None:
        return {"anchored": False}
    return {"anchored": True, "seq": anchor.seq, "gen_time": anchor.gen_time.isoformat()}


@job_kind(REFRESH_JOB, max_attempts=3)
def coverage_refresh_job(ctx: JobContext) -> dict[str, Any]:
    return coverage_refresh(label=ctx.job.label, progress=ctx.progress)
