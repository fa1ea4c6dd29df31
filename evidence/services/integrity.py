"""The integrity check: every stored file is hashed again and must still be what it was.

A scheduled task (``evidence.sanity_check``) starts one job per label (``SANITY_CHECK_JOB``)
unless that label already has one waiting or running; the job re-hashes the label's blobs
with a lease and progress, and shows on the label's jobs page like any other. A changed or
missing file raises an alert in its label (shown on the dashboard, e-mailed to the owners,
logged in the ledger), once per file until someone marks it as dealt with.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_noop

from evidence.models import Alert, EvidenceItem, MatterItem
from evidence.services.alerts import alert_raise
from optout.jobs import JobContext
from optout.lib.canonical import utc_iso
from optout.models import Blob, Job, Label
from optout.services.blobs import blob_verify
from optout.services.jobs import job_create

logger = logging.getLogger(__name__)

SANITY_CHECK_JOB = "evidence.sanity_check"


@dataclass(frozen=True)
class SanityReport:
    checked: int
    changed: int
    missing: int
    alerts: int


def _uses(blob: Blob) -> str:
    """What the file is, in words people recognise: the titles of evidence that holds it."""
    titles = list(
        EvidenceItem.objects.for_label(blob.label)
        .filter(blob=blob)
        .values_list("title", flat=True)[:3]
    ) + list(
        MatterItem.objects.for_label(blob.label)
        .filter(Q(blob=blob) | Q(timestamp_blob=blob))
        .values_list("title", flat=True)[:3]
    )
    unique = list(dict.fromkeys(titles))
    return f" It is the file of: {', '.join(unique)}." if unique else ""


def blob_changed_alert(*, blob: Blob, found: str) -> Alert | None:
    """The alert for a stored file whose bytes now hash to ``found``; raised once per file,
    whether the integrity check or a download found it."""
    return alert_raise(
        label=blob.label,
        kind=Alert.Kind.BLOB_CHANGED,
        key=f"blob-changed:{blob.sha256}",
        message=(
            f"The stored file received {utc_iso(blob.created_at)} with SHA-256 {blob.sha256} "
            f"has changed: its bytes now hash to {found}.{_uses(blob)}"
        ),
        blob=blob,
    )


def blobs_sanity_check(
    *, label: Label, on_progress: Callable[[int], None] | None = None, chunk_size: int = 500
) -> SanityReport:
    """Re-hash every stored blob of ``label`` and raise an alert for each bad one."""
    checked = changed = missing = alerts = 0
    blobs = Blob.objects.for_label(label).select_related("label").order_by("pk")
    for blob in blobs.iterator(chunk_size=chunk_size):
        found = blob_verify(blob=blob)
        checked += 1
        if found == blob.sha256:
            if on_progress is not None:
                on_progress(checked)
            continue
        received = utc_iso(blob.created_at)
        if found is None:
            missing += 1
            raised = alert_raise(
                label=blob.label,
                kind=Alert.Kind.BLOB_MISSING,
                key=f"blob-missing:{blob.sha256}",
                message=(
                    f"The stored file with SHA-256 {blob.sha256} ({blob.size} bytes, received "
                    f"{received}) is missing from storage.{_uses(blob)}"
                ),
                blob=blob,
            )
        else:
            changed += 1
            raised = blob_changed_alert(blob=blob, found=found)
        alerts += raised is not None
        logger.warning(
            "Integrity check: blob %s of %s is %s",
            blob.sha256,
            blob.label.slug,
            "missing" if found is None else "changed",
        )
    report = SanityReport(checked=checked, changed=changed, missing=missing, alerts=alerts)
    logger.info("Integrity check of %s: %s", label.slug, report)
    return report


def blobs_sanity_check_run(*, ctx: JobContext) -> dict[str, Any]:
    """The body of the integrity-check job of one label."""
    label = ctx.job.label
    total = Blob.objects.for_label(label).count()
    ctx.progress(0, "Hashing every stored file again")

    def progress(checked: int) -> None:
        if total:
            ctx.progress(99 * checked // total)

    report = blobs_sanity_check(label=label, on_progress=progress)
    return {
        "checked": report.checked,
        "changed": report.changed,
        "missing": report.missing,
        "alerts": report.alerts,
    }


def blobs_sanity_checks_start() -> int:
    """Start the integrity check of every label that has none waiting or running.

    Returns how many jobs were created. The label row is locked while its jobs are looked
    at, so two beats at once never start the same label's check twice.
    """
    started = 0
    for label_pk in Label.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            label = Label.objects.select_for_update().get(pk=label_pk)
            busy = (
                Job.objects.for_label(label)
                .filter(kind=SANITY_CHECK_JOB, status__in=(Job.Status.PENDING, Job.Status.RUNNING))
                .exists()
            )
            if busy:
                continue
            job_create(
                label=label,
                kind=SANITY_CHECK_JOB,
                actor=None,
                title=gettext_noop("Check that every stored file is unchanged"),
            )
            started += 1
    return started
