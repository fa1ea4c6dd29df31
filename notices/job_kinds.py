"""Job kinds of the notices app: thin adapters from a job to its service.

Imported from ``NoticesConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from notices.services.bulk import BULK_JOB, notice_batch_run
from notices.services.notices import RENDER_JOB, SEND_JOB, notice_render_run, notice_send_run
from notices.services.takedown_packets import PACKET_JOB as TAKEDOWN_PACKET_JOB
from notices.services.takedown_packets import takedown_packet_run
from notices.services.takedowns import RENDER_JOB as TAKEDOWN_RENDER_JOB
from notices.services.takedowns import SEND_JOB as TAKEDOWN_SEND_JOB
from notices.services.takedowns import takedown_render_run, takedown_send_run
from optout.jobs import JobContext, job_kind


@job_kind(RENDER_JOB, max_attempts=3)
def render_job(ctx: JobContext) -> dict[str, Any]:
    return notice_render_run(ctx=ctx)


# One attempt: a retry after the mail server took the message would send it twice.
@job_kind(SEND_JOB, max_attempts=1)
def send_job(ctx: JobContext) -> dict[str, Any]:
    return notice_send_run(ctx=ctx)


@job_kind(TAKEDOWN_RENDER_JOB, max_attempts=3)
def takedown_render_job(ctx: JobContext) -> dict[str, Any]:
    return takedown_render_run(ctx=ctx)


# One attempt, as for notices: a retry after the mail server took the letter would send it twice.
@job_kind(TAKEDOWN_SEND_JOB, max_attempts=1)
def takedown_send_job(ctx: JobContext) -> dict[str, Any]:
    return takedown_send_run(ctx=ctx)


@job_kind(TAKEDOWN_PACKET_JOB, max_attempts=2)
def takedown_packet_job(ctx: JobContext) -> dict[str, Any]:
    return takedown_packet_run(ctx=ctx)


# One attempt: the notices sent before a crash must not be sent again; the partners done
# so far are in the request's result, the rest can be notified with a new request.
@job_kind(BULK_JOB, max_attempts=1)
def bulk_job(ctx: JobContext) -> dict[str, Any]:
    return notice_batch_run(ctx=ctx)
