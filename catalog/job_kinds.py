"""Job kinds of the catalog: thin adapters from a job's parameters to a service."""

from __future__ import annotations

from typing import Any

from catalog.services.masters import MASTER_PROCESS, master_process_for_job
from catalog.services.release_zip import RELEASE_TAGGED_ZIP, release_tagged_zip_build
from catalog.services.tagging import MASTER_TAG, tagged_copy_make_for_job
from optout.jobs import JobContext, job_kind


@job_kind("catalog.import", max_attempts=3)
def catalog_import_job(ctx: JobContext) -> dict[str, Any]:
    from catalog.services.imports.service import run_import_job

    return run_import_job(ctx)


@job_kind(MASTER_PROCESS, max_attempts=3)
def master_process_job(ctx: JobContext) -> dict[str, Any]:
    return master_process_for_job(
        label=ctx.job.label,
        code=str(ctx.params["master"]),
        actor=ctx.job.created_by,
        progress=ctx.progress,
    )


@job_kind(MASTER_TAG, max_attempts=3)
def master_tag_job(ctx: JobContext) -> dict[str, Any]:
    return tagged_copy_make_for_job(
        label=ctx.job.label,
        code=str(ctx.params["copy"]),
        actor=ctx.job.created_by,
        progress=ctx.progress,
    )


@job_kind(RELEASE_TAGGED_ZIP, max_attempts=3)
def release_tagged_zip_job(ctx: JobContext) -> dict[str, Any]:
    return release_tagged_zip_build(
        label=ctx.job.label,
        code=str(ctx.params["release"]),
        actor=ctx.job.created_by,
        job=ctx.job,
        progress=ctx.progress,
    )
