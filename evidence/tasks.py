"""Celery beat tasks of the evidence app: thin, no arguments (found by autodiscovery)."""

from __future__ import annotations

from celery import shared_task

from evidence.services.alerts import alert_digests_send
from evidence.services.captures import captures_run_due
from evidence.services.integrity import blobs_sanity_checks_start


# Not acks_late: a lost run is simply made up by the next beat. The work itself is a job per
# label (lease, retries, progress); this only starts those that are not already under way.
@shared_task(name="evidence.sanity_check", acks_late=False, ignore_result=True)
def sanity_check() -> None:
    blobs_sanity_checks_start()


# Not acks_late: a lost run is simply made up by the next beat, and each schedule is
# claimed in the transaction that starts its capture.
@shared_task(name="evidence.run_due_captures", acks_late=False, ignore_result=True)
def run_due_captures() -> None:
    captures_run_due()


# Not acks_late: the beat comes back within the hour, and each member's digest is written
# in the transaction that sends it, at most once a day.
@shared_task(name="evidence.send_alert_digests", acks_late=False, ignore_result=True)
def send_alert_digests() -> None:
    alert_digests_send()
