"""Celery tasks of the policy app: thin, JSON arguments only."""

from __future__ import annotations

from celery import shared_task

from optout.policy.services.audits import audits_schedule


@shared_task(name="policy.schedule_audits", acks_late=False, ignore_result=True)
def schedule_audits() -> None:
    """Queue the weekly signal audit of every label domain (each audit is its own job)."""
    audits_schedule()
