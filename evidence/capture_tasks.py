"""Celery tasks of captures: thin, no arguments (imported from EvidenceConfig.ready)."""

from __future__ import annotations

from celery import shared_task

from evidence.services.captures import captures_run_due


# Not acks_late: a lost run is simply made up by the next beat, and each schedule is
# claimed in the transaction that starts its capture.
@shared_task(name="evidence.run_due_captures", acks_late=False, ignore_result=True)
def run_due_captures() -> None:
    captures_run_due()
