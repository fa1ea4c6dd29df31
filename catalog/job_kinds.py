"""Job kinds of the catalog."""

from __future__ import annotations

from typing import Any

from optout.jobs import JobContext, job_kind


@job_kind("catalog.import", max_attempts=3)
def catalog_import_job(ctx: JobContext) -> dict[str, Any]:
    from catalog.services.imports.service import run_import_job

    return run_import_job(ctx)
