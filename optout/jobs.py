"""The registry of job kinds.

Each app registers its kinds with ``@job_kind`` in its ``job_kinds.py``, which its
``AppConfig.ready`` imports; the one Celery task ``optout.tasks.run_job`` looks the handler
up here by the job's ``kind``. The registry lives in the core app so that the job machinery
never imports a higher layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optout.models import Job


class JobFailure(Exception):
    """A permanent failure: the job ends failed with this message, without retrying.

    Raise it for bad input (a corrupt file, an unreachable URL the user gave, a row that
    cannot be parsed); the message is shown to the user as the job's error.
    """


class JobContext:
    """What a handler gets: its job row and a way to report progress."""

    def __init__(self, job: Job, report: Callable[[int, str | None], None]) -> None:
        self.job = job
        self._report = report

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.job.params)

    def progress(self, percent: int | float, step: str | None = None) -> None:
        """Report progress (0-100) and, optionally, the current step's description."""
        self._report(max(0, min(100, int(percent))), step)


JobHandler = Callable[[JobContext], dict[str, Any] | None]


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: JobHandler
    max_attempts: int | None = None


_REGISTRY: dict[str, JobKind] = {}


def register_job_kind(name: str, handler: JobHandler, *, max_attempts: int | None = None) -> None:
    existing = _REGISTRY.get(name)
    if existing is not None and existing.handler is not handler:
        raise RuntimeError(f"Job kind {name!r} is registered twice.")
    _REGISTRY[name] = JobKind(name=name, handler=handler, max_attempts=max_attempts)


def job_kind(name: str, *, max_attempts: int | None = None) -> Callable[[JobHandler], JobHandler]:
    """Decorator form of ``register_job_kind``."""

    def decorate(handler: JobHandler) -> JobHandler:
        register_job_kind(name, handler, max_attempts=max_attempts)
        return handler

    return decorate


def get_job_kind(name: str) -> JobKind | None:
    return _REGISTRY.get(name)


def job_kinds() -> list[str]:
    return sorted(_REGISTRY)
