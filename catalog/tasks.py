"""Celery beat tasks of the catalog: thin, no arguments (found by Celery's autodiscovery)."""

from __future__ import annotations

from celery import shared_task

from catalog.services.resumable_uploads import resumable_uploads_expire


# Not acks_late: a lost run is made up by the next beat; expiring an upload is idempotent.
@shared_task(name="catalog.expire_uploads", acks_late=False, ignore_result=True)
def expire_uploads() -> None:
    resumable_uploads_expire()
