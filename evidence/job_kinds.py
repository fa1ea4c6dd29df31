"""Job kinds of the evidence app: thin adapters from a job to the service that does the work.

Imported from ``EvidenceConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from evidence.services.captures import CAPTURE_JOB, capture_run
from evidence.services.integrity import SANITY_CHECK_JOB, blobs_sanity_check_run
from evidence.services.packets import PACKET_JOB, packet_job_run
from evidence.services.timestamps import TIMESTAMP_JOB, timestamp_obtain
from optout.jobs import JobContext, job_kind


@job_kind(CAPTURE_JOB, max_attempts=2)
def capture_job(ctx: JobContext) -> dict[str, Any]:
    return capture_run(ctx=ctx)


@job_kind(TIMESTAMP_JOB, max_attempts=12)
def timestamp_job(ctx: JobContext) -> dict[str, Any]:
    return timestamp_obtain(ctx=ctx)


@job_kind(PACKET_JOB, max_attempts=3)
def packet_job(ctx: JobContext) -> dict[str, Any]:
    return packet_job_run(ctx=ctx)


@job_kind(SANITY_CHECK_JOB, max_attempts=3)
def sanity_check_job(ctx: JobContext) -> dict[str, Any]:
    return blobs_sanity_check_run(ctx=ctx)
