"""Job kinds of the policy app."""

from __future__ import annotations

from typing import Any

from optout.jobs import JobContext, job_kind
from optout.policy.services.audits import AUDIT_KIND, audit_run_queued


# A network hiccup is worth retrying; a refused or unreachable site fails at once.
@job_kind(AUDIT_KIND, max_attempts=3)
def audit_job(ctx: JobContext) -> dict[str, Any]:
    return audit_run_queued(
        label=ctx.job.label,
        code=ctx.params.get("audit"),
        actor=ctx.job.created_by,
        progress=ctx.progress,
    )
