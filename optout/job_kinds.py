"""Job kinds of the core app."""

from __future__ import annotations

from typing import Any

from optout.jobs import JobContext, job_kind
from optout.services.ledger import ledger_verify_recorded


@job_kind("ledger.verify", max_attempts=3)
def verify_ledger_job(ctx: JobContext) -> dict[str, Any]:
    ctx.progress(0, "Recomputing the chain and the file hashes")

    def progress(done: int, total: int) -> None:
        if total:
            ctx.progress(99 * done // total)

    return ledger_verify_recorded(
        label=ctx.job.label, actor=ctx.job.created_by, subject=ctx.job, on_progress=progress
    )
