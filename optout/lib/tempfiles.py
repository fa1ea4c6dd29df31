"""The folder for temporary files: uploads in flight, files being built, parts of uploads.

Inside a running job, temporary files go to that job's own folder: a worker killed mid-job
(out of memory, a restart) cannot remove what it wrote, and a folder per job lets
``job_files_sweep`` remove it once the job has ended while keeping the files of jobs still
running.
"""

from __future__ import annotations

import contextlib
import contextvars
import shutil
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

JOB_TEMP_FOLDER = "jobs"
_job_temp: contextvars.ContextVar[Path | None] = contextvars.ContextVar("job_temp", default=None)


def _shared_temp_dir() -> Path:
    # Made on demand: a cleaned-out data folder must not break the next upload.
    path = Path(settings.FILE_UPLOAD_TEMP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def temp_dir() -> Path:
    """Where temporary files go: inside a running job, that job's own folder."""
    scoped = _job_temp.get()
    if scoped is not None:
        scoped.mkdir(parents=True, exist_ok=True)
        return scoped
    return _shared_temp_dir()


def job_temp_root() -> Path:
    return _shared_temp_dir() / JOB_TEMP_FOLDER


@contextlib.contextmanager
def job_temp_scope(code: str) -> Iterator[Path]:
    """Temporary files made while this block runs go to the job's folder, emptied when the
    attempt starts (what a killed attempt left) and removed when it ends."""
    folder = job_temp_root() / code
    shutil.rmtree(folder, ignore_errors=True)
    token = _job_temp.set(folder)
    try:
        yield folder
    finally:
        _job_temp.reset(token)
        shutil.rmtree(folder, ignore_errors=True)
