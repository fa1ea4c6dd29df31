"""Celery beat tasks of the monitoring app: thin, no arguments (found by autodiscovery)."""

from __future__ import annotations

from celery import shared_task

from monitoring.services.controls import controls_overdue_all


# Not acks_late: a lost run is made up by the next beat; an alert is raised once per cause.
@shared_task(name="monitoring.controls_overdue", acks_late=False, ignore_result=True)
def controls_overdue() -> None:
    controls_overdue_all()
