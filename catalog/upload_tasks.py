"""Celery task of resumable uploads: thin, no arguments (imported from CatalogConfig.ready)."""

from __future__ import annotations

from celery import shared_task

from catalog.services.master_uploads import master_uploads_expire


# Not acks_late: a lost run is made up by the next beat; expiring an upload is idempotent.
@shared_task(name="catalog.expire_uploads", acks_late=False, ignore_result=True)
def expire_uploads() -> None:
    master_uploads_expire()
