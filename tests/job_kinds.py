"""Job kinds that exist only in the test suite, to exercise the job machinery itself.

They stand in for "some long work": the tests assert what the machinery guarantees (claimed
once, survives a killed worker, gives up after max attempts), not what a handler computes.
"""

from __future__ import annotations

import os
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from optout.jobs import JobContext, JobFailure, job_kind


def _mark(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


@job_kind("test.slow")
def slow(ctx: JobContext) -> dict[str, Any]:
    params = ctx.params
    marker = params["marker"]
    _mark(marker, f"start {ctx.job.code} {os.getpid()}")
    steps = int(params.get("steps", 10))
    for step in range(steps):
        time.sleep(float(params.get("sleep", 0.1)))
        ctx.progress(100 * (step + 1) // steps, f"step {step + 1} of {steps}")
    _mark(marker, f"done {ctx.job.code} {os.getpid()}")
    return {"steps": steps}


@job_kind("test.crash", max_attempts=3)
def crash(ctx: JobContext) -> None:
    """A poison job: the process dies every time (as in an out-of-memory kill)."""
    _mark(ctx.params["marker"], f"start {ctx.job.code} {os.getpid()}")
    os.kill(os.getpid(), signal.SIGKILL)


@job_kind("test.raise", max_attempts=3)
def always_raises(ctx: JobContext) -> None:
    _mark(ctx.params["marker"], f"start {ctx.job.code} {os.getpid()}")
    raise RuntimeError("disk on fire")


@job_kind("test.refuse")
def refuses(ctx: JobContext) -> None:
    raise JobFailure("The file is not a WAV file.")


def lines(marker: Path) -> list[str]:
    return marker.read_text(encoding="utf-8").splitlines() if marker.exists() else []


@job_kind("test.database_gone")
def database_gone(ctx: JobContext) -> None:
    """The database goes away mid-run for ``down`` seconds, as in a PostgreSQL restart.

    The connection settings point at a loopback port that refuses connections until a timer
    puts them back (every thread's new connection reads the same settings).
    """
    from django.db import connection

    from optout.models import Job

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))  # bound, never listening
    shared = connection.settings_dict
    saved = {key: shared[key] for key in ("HOST", "PORT")}

    def back() -> None:
        shared.update(saved)
        holder.close()

    connection.close()
    shared.update(HOST="127.0.0.1", PORT=str(holder.getsockname()[1]))
    threading.Timer(float(ctx.params.get("down", 2)), back).start()
    Job.objects.unscoped().filter(code=ctx.job.code).exists()  # raises OperationalError


@job_kind("test.temp_file")
def temp_file(ctx: JobContext) -> dict[str, Any]:
    """Writes a temporary file where every handler writes them, and names it."""
    from optout.lib.tempfiles import temp_dir

    fd, name = tempfile.mkstemp(prefix="packet-", suffix=".zip", dir=temp_dir())
    os.write(fd, b"half a packet")
    os.close(fd)
    return {"path": name}
