"""Celery tasks of the evidence app: thin, JSON arguments only."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache

from evidence.services.integrity import blobs_sanity_check

logger = logging.getLogger(__name__)

_LOCK = "evidence:sanity-check:running"
_LOCK_SECONDS = 12 * 3600


# acks_late off: a run cut short is simply done again at the next scheduled time.
@shared_task(name="evidence.sanity_check", acks_late=False, ignore_result=True)
def sanity_check() -> None:
    # One run at a time, whatever the number of beat instances or slow runs.
    if not cache.add(_LOCK, "1", timeout=_LOCK_SECONDS):
        logger.info("The integrity check is already running; skipped.")
        return
    try:
        blobs_sanity_check()
    finally:
        cache.delete(_LOCK)
