"""Job kinds of the core app."""

from __future__ import annotations

from typing import Any

from optout.jobs import JobContext, job_kind
from optout.services.ledger import ledger_append, ledger_verify


@job_kind("ledger.verify", max_attempts=3)
def verify_ledger_job(ctx: JobContext) -> dict[str, Any]:
    label = ctx.job.label
    ctx.progress(0, "Recomputing the chain and the file hashes")

    def progress(done: int, total: int) -> None:
        if total:
            ctx.progress(99 * done // total)

    report = ledger_verify(label=label, check_files=True, on_progress=progress)
    result: dict[str, Any] = {
        "ok": report.ok,
        "entries": report.entries,
        "files_checked": report.files_checked,
        "problem": (
            {"seq": report.problem.seq, "reason": report.problem.reason} if report.problem else None
        ),
    }
    ledger_append(
        label=label,
        actor=ctx.job.created_by,
        action="ledger.verified",
        subject=ctx.job,
        data=result,
    )
    return result
