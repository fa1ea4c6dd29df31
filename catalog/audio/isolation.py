"""Run parsers of untrusted audio in a separate, limited process and never hang or crash.

:func:`run_isolated` starts ``python -m catalog.audio.sandbox`` with a minimal environment in
its own session, sends it a batch of requests and reads one JSON line per request. Limits:

* address space (``RLIMIT_AS``, default 512 MiB) and CPU time per request (``RLIMIT_CPU``,
  default 10 s), set by the sandbox itself before it imports any parser;
* wall-clock time per request (default 30 s), enforced here: the process group is killed;
* size of any file the sandbox writes (``RLIMIT_FSIZE``: 0 for probing);
* size of each answer (16 MiB): more is treated as garbage.

Whatever happens (an exception, a limit, a crash, a timeout, garbage on stdout) each request
ends as a result dictionary or a :class:`BadAudio`, and the requests after a failed one run in
a fresh process. Settings (optional): ``OPTOUT_AUDIO_MEMORY_BYTES``,
``OPTOUT_AUDIO_CPU_SECONDS``, ``OPTOUT_AUDIO_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.audio.errors import BadAudio

WORKER = "catalog.audio.worker:handle"
MAX_ANSWER = 16 * 1024 * 1024
MAX_STDERR = 64 * 1024
_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 512 * 1024 * 1024
    cpu_seconds: int = 10
    timeout_seconds: float = 30.0

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        if not settings.configured:
            return cls()
        return cls(
            memory_bytes=int(getattr(settings, "OPTOUT_AUDIO_MEMORY_BYTES", cls.memory_bytes)),
            cpu_seconds=int(getattr(settings, "OPTOUT_AUDIO_CPU_SECONDS", cls.cpu_seconds)),
            timeout_seconds=float(
                getattr(settings, "OPTOUT_AUDIO_TIMEOUT_SECONDS", cls.timeout_seconds)
            ),
        )


@dataclass(frozen=True)
class Item:
    """One request with its own allowance (tagging a big file earns more time)."""

    request: dict[str, Any]
    cpu_seconds: int
    timeout_seconds: float


Outcome = dict[str, Any] | BadAudio


def run_isolated(
    items: Sequence[Item],
    *,
    limits: Limits,
    file_size: int = 0,
    target: str = WORKER,
) -> list[Outcome]:
    """Run each item through ``target`` in the sandbox; one outcome per item, in order."""
    outcomes: list[Outcome | None] = [None] * len(items)
    start = 0
    while start < len(items):
        start = _run_batch(items, start, outcomes, limits, file_size, target)
    return [o if o is not None else BadAudio("isolation_failed") for o in outcomes]


def _command(items: Sequence[Item], limits: Limits, file_size: int, target: str) -> list[str]:
    batch_cpu = sum(item.cpu_seconds for item in items) + 2
    return [
        sys.executable, "-s", "-B", "-P", "-m", "catalog.audio.sandbox",
        "--target", target,
        "--memory", str(limits.memory_bytes),
        "--cpu", str(batch_cpu),
        "--file-size", str(file_size),
    ]  # fmt: skip


def _environment() -> dict[str, str]:
    # Only what Python needs: no secrets, no proxies, no Django settings.
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": _ROOT,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "LC_ALL": "C.UTF-8",
        "MALLOC_ARENA_MAX": "2",
    }


def _run_batch(
    items: Sequence[Item],
    start: int,
    outcomes: list[Outcome | None],
    limits: Limits,
    file_size: int,
    target: str,
) -> int:
    """Run items[start:] in one process; return the index to continue from."""
    batch = items[start:]
    document = {"items": [{"cpu": i.cpu_seconds, "request": i.request} for i in batch]}
    process = subprocess.Popen(  # noqa: S603 - fixed argv, our own interpreter and module
        _command(batch, limits, file_size, target),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(),
        cwd="/",
        start_new_session=True,
        close_fds=True,
    )
    reader = _Reader(process)
    try:
        reader.send(json.dumps(document).encode("utf-8"))
        current = start
        deadline = time.monotonic() + items[current].timeout_seconds
        while current < len(items):
            line = reader.line(deadline)
            if line is None:  # the process ended or the time ran out
                timed_out = time.monotonic() >= deadline
                outcomes[current] = _death(process, reader, timed_out, items[current])
                return current + 1
            outcome = _decode(line, current - start)
            outcomes[current] = outcome
            current += 1
            if isinstance(outcome, BadAudio) and outcome.code in (
                "isolation_failed",
                "memory_limit",
            ):
                return current  # that process is not trusted (or not alive) any more
            if current < len(items):
                deadline = time.monotonic() + items[current].timeout_seconds
        return current
    finally:
        reader.close()


def _decode(line: bytes, expected: int) -> Outcome:
    try:
        answer = json.loads(line)
        if not isinstance(answer, dict) or answer.get("i") != expected:
            raise ValueError("answer out of order")
        if answer.get("ok") is True and isinstance(answer.get("result"), dict):
            result: dict[str, Any] = answer["result"]
            return result
        error = answer["error"]
        params = {str(k): v for k, v in dict(error.get("params") or {}).items()
                  if isinstance(v, str | int)}  # fmt: skip
        return BadAudio(str(error["code"]), params=params, detail=str(error.get("detail", "")))
    except (ValueError, KeyError, TypeError, AttributeError):
        return BadAudio("isolation_failed", detail=f"unreadable answer: {line[:200]!r}")


def _death(
    process: subprocess.Popen[bytes], reader: _Reader, timed_out: bool, item: Item
) -> BadAudio:
    reader.kill()
    code = process.wait()
    stderr = reader.stderr.decode("utf-8", "replace")[-2000:]
    if timed_out:
        seconds = int(item.timeout_seconds)
        return BadAudio("timeout", params={"seconds": seconds}, detail=stderr)
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return BadAudio("cpu_limit", detail=f"exit {code}: {stderr}")
    if code == -signal.SIGXFSZ:
        return BadAudio("write_failed", detail=f"file size limit: {stderr}")
    if "MemoryError" in stderr:
        return BadAudio("memory_limit", detail=stderr)
    return BadAudio("crashed", detail=f"exit {code}: {stderr}")


class _Reader:
    """Line reader over the sandbox's stdout with deadlines; also drains stderr."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.buffer = bytearray()
        self.stderr = bytearray()
        self.selector = selectors.DefaultSelector()
        assert process.stdout is not None and process.stderr is not None
        for stream in (process.stdout, process.stderr):
            os.set_blocking(stream.fileno(), False)
            self.selector.register(stream, selectors.EVENT_READ)
        self.open = 2

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(data)
            self.process.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the process died at start; noticed when reading

    def line(self, deadline: float) -> bytes | None:
        while True:
            newline = self.buffer.find(b"\n")
            if newline >= 0:
                line = bytes(self.buffer[:newline])
                del self.buffer[: newline + 1]
                return line
            if len(self.buffer) > MAX_ANSWER:
                self.buffer.clear()
                return b"\x00garbage"
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.open == 0:
                return None
            for key, _events in self.selector.select(min(remaining, 1.0)):
                chunk = os.read(key.fd, 1024 * 1024)
                if not chunk:
                    self.selector.unregister(key.fileobj)
                    self.open -= 1
                elif key.fileobj is self.process.stdout:
                    self.buffer += chunk
                else:
                    self.stderr += chunk
                    del self.stderr[:-MAX_STDERR]

    def kill(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def close(self) -> None:
        self.kill()
        self.process.wait()
        self.selector.close()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
