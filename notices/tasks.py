"""Celery beat tasks of the notices app: thin, no arguments (found by autodiscovery)."""

from __future__ import annotations

from celery import shared_task

from notices.services.deadlines import notices_deadlines


# Not acks_late: a lost run is made up by the next beat; each notice is claimed in its row.
@shared_task(name="notices.deadlines", acks_late=False, ignore_result=True)
def deadlines() -> None:
    notices_deadlines()
