"""Jobs: create in the caller's transaction, claim once, run, renew the lease, sweep.

See the state diagram on ``optout.models.Job``. The database row is the only truth:
Redis may lose every queued message (it keeps nothing across a restart here) and a worker
may die at any instruction; the sweeper puts both right.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from optout.jobs import JobContext, JobFailure, get_job_kind
from optout.lib.i18n import message_english, message_store
from optout.lib.tempfiles import job_temp_root, job_temp_scope
from optout.models import Job, Label, User

logger = logging.getLogger(__name__)

_SWEEP_BATCH = 500
_PROGRESS_MIN_INTERVAL = 0.5


def _lease() -> timedelta:
    return timedelta(seconds=settings.OPTOUT_JOB_LEASE_SECONDS)


def _send(code: str) -> None:
    from optout.tasks import run_job

    try:
        run_job.apply_async(
            args=(code,),
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
        )
    except Exception:
        # The row is already committed as pending; the sweeper queues it once the broker is
        # back. The user's request must not fail because the broker blinked.
        logger.warning(
            "Could not queue job %s now; the sweeper will queue it.", code, exc_info=True
        )


def _enqueue_on_commit(code: str) -> None:
    transaction.on_commit(lambda: _send(code), robust=True)


@transaction.atomic
def job_create(
    *,
    label: Label,
    kind: str,
    actor: User | None,
    title: str = "",
    title_args: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Write a pending job in the caller's transaction; it is queued when that commits.

    ``title`` is an untranslated message id (``gettext_noop``) and ``title_args`` its
    parameters: pages show the title in their reader's language."""
    kind_def = get_job_kind(kind)
    if kind_def is None:
        raise ValueError(f"Unknown job kind {kind!r}.")
    message = message_store(title, title_args) if title else {}
    job: Job = Job.objects.create(
        label=label,
        kind=kind,
        title=message_english(message)[:300],
        title_message=message,
        params=params or {},
        max_attempts=max_attempts or kind_def.max_attempts or settings.OPTOUT_JOB_MAX_ATTEMPTS,
        created_by=actor,
        enqueued_at=timezone.now(),
        enqueue_count=1,
    )
    _enqueue_on_commit(str(job.code))
    return job


def job_claim(*, code: str) -> uuid.UUID | None:
    """Claim the job for this process. Returns the lease token, or None if not claimable.

    1. A job is claimable when it is pending (and its retry time has come), or running
       with an expired lease (the process that held it is gone), and attempts remain.
    2. One conditional UPDATE both checks and claims, so of two deliveries of the same
       message exactly one gets the row; the other sees 0 rows and does nothing.
    3. The new lease token guards every later write: a process that lost its lease
       cannot overwrite the state a newer claim owns.
    """
    now = timezone.now()
    token = uuid.uuid4()
    claimable = (
        Q(status=Job.Status.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    ) | Q(status=Job.Status.RUNNING, lease_until__lt=now)
    claimed = (
        Job.objects.unscoped()
        .filter(claimable, code=code, attempts__lt=F("max_attempts"))
        .update(
            status=Job.Status.RUNNING,
            attempts=F("attempts") + 1,
            lease_token=token,
            lease_until=now + _lease(),
            started_at=Coalesce(F("started_at"), Value(now)),
            step="",
            updated_at=now,
        )
    )
    return token if claimed == 1 else None


def _owned(code: str, token: uuid.UUID) -> Any:
    return Job.objects.unscoped().filter(code=code, lease_token=token, status=Job.Status.RUNNING)


class _Heartbeat:
    """Renews the lease from a thread while the handler works (on its own connection)."""

    def __init__(self, code: str, token: uuid.UUID) -> None:
        self._code = code
        self._token = token
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{code}", daemon=True)
        self.lost = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        interval = max(settings.OPTOUT_JOB_LEASE_SECONDS / 3, 0.5)
        try:
            while not self._stop.wait(interval):
                try:
                    renewed = _owned(self._code, self._token).update(
                        lease_until=timezone.now() + _lease()
                    )
                except Exception:
                    logger.warning("Could not renew the lease of job %s", self._code, exc_info=True)
                    close_old_connections()
                    continue
                if renewed == 0:
                    self.lost = True
                    return
        finally:
            connection.close()


def _reporter(code: str, token: uuid.UUID) -> Callable[[int, str | None], None]:
    last: dict[str, Any] = {"at": 0.0, "percent": -1, "step": None}

    def report(percent: int, step: str | None) -> None:
        now = time.monotonic()
        changed_step = step is not None and step != last["step"]
        if not changed_step and percent != 100 and now - last["at"] < _PROGRESS_MIN_INTERVAL:
            return
        if not changed_step and percent == last["percent"]:
            return
        values: dict[str, Any] = {"progress": percent, "updated_at": timezone.now()}
        if step is not None:
            values["step"] = step[:300]
        _owned(code, token).update(**values)
        last.update(at=now, percent=percent, step=step if step is not None else last["step"])

    return report


def _finish(code: str, token: uuid.UUID, **values: Any) -> None:
    now = timezone.now()
    values.setdefault("finished_at", now)
    updated = _owned(code, token).update(
        lease_token=None, lease_until=None, updated_at=now, **values
    )
    if updated == 0:
        logger.warning("Job %s lost its lease before finishing; a newer attempt owns it.", code)


def _retry_delay(attempts: int) -> timedelta:
    base = settings.OPTOUT_JOB_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 600))


def _record_error(code: str, token: uuid.UUID, message: str) -> None:
    job = _owned(code, token).values("attempts", "max_attempts").first()
    if job is None:
        return
    if job["attempts"] >= job["max_attempts"]:
        _finish(
            code,
            token,
            status=Job.Status.FAILED,
            error=f"{message} (gave up after {job['attempts']} attempts)",
        )
        return
    _finish(
        code,
        token,
        status=Job.Status.PENDING,
        error=message,
        finished_at=None,
        not_before=timezone.now() + _retry_delay(job["attempts"]),
        enqueued_at=None,
    )


def _error_text(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    if isinstance(exc, OperationalError | InterfaceError):
        text = f"The database was unavailable while the job ran; it is tried again. ({text})"
    return text[:2000]


def _record_error_once_reachable(code: str, token: uuid.UUID, message: str) -> None:
    """Record the error as a retry (or the final failure), waiting for a database that went
    away (a restart) for up to one lease: the job then shows as waiting to be retried, with
    the reason, instead of "running" until its lease runs out. If the database stays away
    longer, the sweeper takes the job over once the lease has expired."""
    deadline = time.monotonic() + settings.OPTOUT_JOB_LEASE_SECONDS
    pause = 0.2
    while True:
        # A lost connection must not also lose the error: reconnect to record it.
        if not connection.in_atomic_block and (
            connection.connection is None or not connection.is_usable()
        ):
            connection.close()
        try:
            _record_error(code, token, message)
            return
        except (OperationalError, InterfaceError):
            if time.monotonic() + pause > deadline:
                logger.warning(
                    "Could not record the error of job %s: the database is still away; "
                    "the sweeper will queue it again when its lease expires.",
                    code,
                    exc_info=True,
                )
                return
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def job_execute(*, code: str) -> None:
    """Claim and run one job; the body of the Celery task ``run_job``."""
    token = job_claim(code=code)
    if token is None:
        logger.info("Job %s is not claimable (done, running elsewhere or retrying later).", code)
        return
    job = Job.objects.unscoped().select_related("label", "created_by").get(code=code)
    kind = get_job_kind(job.kind)
    if kind is None:
        _finish(
            code,
            token,
            status=Job.Status.FAILED,
            error=f"This installation does not know the job kind {job.kind!r}.",
        )
        return
    heartbeat = _Heartbeat(code, token)
    heartbeat.start()
    try:
        with job_temp_scope(code):
            result = kind.handler(JobContext(job, _reporter(code, token)))
    except JobFailure as exc:
        _finish(code, token, status=Job.Status.FAILED, error=str(exc) or "The job failed.")
    except SoftTimeLimitExceeded:
        _finish(
            code,
            token,
            status=Job.Status.FAILED,
            error=f"The job took longer than {settings.CELERY_TASK_SOFT_TIME_LIMIT} s.",
        )
    except Exception as exc:
        logger.exception("Job %s (%s) raised", code, job.kind)
        _record_error_once_reachable(code, token, _error_text(exc))
    else:
        _finish(
            code,
            token,
            status=Job.Status.DONE,
            progress=100,
            step="",
            error="",
            result=result or {},
        )
    finally:
        heartbeat.stop()


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    failed: int


def _requeue_grace(enqueue_count: int) -> timedelta:
    # A pending job's message may simply be waiting behind a long queue; re-sending it
    # every minute during a long backlog would flood the broker with duplicates.
    base = settings.OPTOUT_JOB_PENDING_GRACE_SECONDS
    return timedelta(seconds=min(base * 2 ** min(max(enqueue_count - 1, 0), 4), 600))


def jobs_sweep() -> SweepResult:
    """Re-queue pending jobs whose message may be lost and running jobs whose worker died;
    fail those that used up their attempts."""
    now = timezone.now()
    jobs = Job.objects.unscoped()
    requeued: list[str] = []
    failed = 0

    stale = jobs.filter(status=Job.Status.RUNNING, lease_until__lt=now).values_list(
        "code", "attempts", "max_attempts"
    )[:_SWEEP_BATCH]
    for code, attempts, max_attempts in list(stale):
        running = jobs.filter(code=code, status=Job.Status.RUNNING, lease_until__lt=now)
        if attempts >= max_attempts:
            failed += running.update(
                status=Job.Status.FAILED,
                lease_token=None,
                lease_until=None,
                finished_at=now,
                updated_at=now,
                error=(
                    f"The worker running this job stopped (crash, out of memory or restart) "
                    f"and it was tried {attempts} times."
                ),
            )
        elif running.update(
            status=Job.Status.PENDING,
            lease_token=None,
            lease_until=None,
            enqueued_at=now,
            enqueue_count=F("enqueue_count") + 1,
            updated_at=now,
            error="The worker running this job stopped; it was queued again.",
        ):
            requeued.append(str(code))

    due = jobs.filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now), status=Job.Status.PENDING
    ).values_list("code", "attempts", "max_attempts", "enqueued_at", "enqueue_count")
    for code, attempts, max_attempts, enqueued_at, count in list(due[: _SWEEP_BATCH * 4]):
        pending = jobs.filter(code=code, status=Job.Status.PENDING)
        if attempts >= max_attempts:
            failed += pending.update(
                status=Job.Status.FAILED,
                finished_at=now,
                updated_at=now,
                error=f"Gave up after {attempts} attempts.",
            )
            continue
        if enqueued_at is not None and enqueued_at > now - _requeue_grace(count):
            continue
        if pending.filter(Q(enqueued_at__isnull=True) | Q(enqueued_at=enqueued_at)).update(
            enqueued_at=now, enqueue_count=F("enqueue_count") + 1
        ):
            requeued.append(str(code))
        if len(requeued) >= _SWEEP_BATCH:
            break

    for queued in requeued:
        _send(queued)
    if requeued or failed:
        logger.info("Job sweep: %d queued again, %d failed.", len(requeued), failed)
    return SweepResult(requeued=len(requeued), failed=failed)


def _newest_change(folder: Path) -> float:
    newest = folder.stat().st_mtime
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):  # removed meanwhile
            newest = max(newest, path.lstat().st_mtime)
    return newest


def job_files_sweep() -> int:
    """Remove the temporary folders of jobs that ended (or no longer exist) and whose files
    are older than a lease; returns how many were removed.

    A job's attempt removes its own folder when it ends; a worker killed mid-job leaves it
    (a half-written packet ZIP can take gigabytes). Folders of jobs still running or waiting
    for a retry are kept: the next attempt empties its folder when it starts.
    """
    root = job_temp_root()
    if not root.is_dir():
        return 0
    cutoff = time.time() - settings.OPTOUT_JOB_LEASE_SECONDS
    folders = {path.name: path for path in root.iterdir() if path.is_dir()}
    codes = []
    for name in folders:
        with contextlib.suppress(ValueError):
            codes.append(uuid.UUID(name))
    unfinished = {
        str(code)
        for code in Job.objects.unscoped()
        .filter(code__in=codes, status__in=(Job.Status.PENDING, Job.Status.RUNNING))
        .values_list("code", flat=True)
    }
    removed = 0
    for name, folder in folders.items():
        if name in unfinished or _newest_change(folder) > cutoff:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    if removed:
        logger.info("Removed the temporary files of %d ended jobs.", removed)
    return removed
