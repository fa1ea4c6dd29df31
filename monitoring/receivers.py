"""Receivers for Celery's worker signals: each only starts a selector.

A worker loads the fingerprint index of every label in the process that will search it, so
that the first suspect checked after a start does not wait for a rebuild. With the prefork
pool (the deployment's) that is each pool process, when it starts
(``worker_process_init``); the main process never searches. Solo and thread pools search in
the main process, which loads when the worker is ready (``worker_ready``).

The load runs in a thread: a pool process that does not report for work within
``worker_proc_alive_timeout`` (4 s) of its start is killed, and loading 100,000 tracks takes
longer. A search arriving meanwhile waits for the load of its label instead of building a
second copy (``monitoring.selectors.index_refresh`` holds a lock per label).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery.concurrency.prefork import TaskPool as PreforkPool
from celery.signals import worker_process_init, worker_ready
from django.conf import settings
from django.db import connections

from monitoring.selectors import index_warm

logger = logging.getLogger(__name__)


def _warm() -> None:
    try:
        index_warm(budget_bytes=settings.OPTOUT_FINGERPRINT_WARM_BYTES)
    except Exception:  # the first search of each label loads it instead
        logger.exception("The fingerprint indexes could not be loaded at worker start.")
    finally:
        connections.close_all()  # this thread's own connections


def _start_warming() -> None:
    if settings.OPTOUT_FINGERPRINT_WARM_BYTES > 0:
        threading.Thread(target=_warm, name="fingerprint-index-warm", daemon=True).start()


def _pool_process_started(**kwargs: Any) -> None:
    _start_warming()


def _worker_ready(sender: Any = None, **kwargs: Any) -> None:
    if not isinstance(getattr(sender, "pool", None), PreforkPool):
        _start_warming()


def connect() -> None:
    worker_process_init.connect(_pool_process_started, dispatch_uid="monitoring-index-warm")
    worker_ready.connect(_worker_ready, dispatch_uid="monitoring-index-warm-ready")
