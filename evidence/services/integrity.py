"""The integrity check: every stored file is hashed again and must still be what it was.

A scheduled system task (``evidence.sanity_check``) runs this across every label; it is
the one evidence code path that reads blobs without a label scope. A changed or missing
file raises an alert in its label (shown on the dashboard, e-mailed to the owners, logged
in the ledger), once per file until someone marks it as dealt with.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from evidence.models import Alert, EvidenceItem, MatterItem
from evidence.services.alerts import alert_raise
from optout.lib.canonical import utc_iso
from optout.models import Blob
from optout.services.blobs import blob_verify

logger = logging.getLogger(__name__)


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


def blobs_sanity_check(
    *, on_progress: Callable[[int], None] | None = None, chunk_size: int = 500
) -> SanityReport:
    """Re-hash every stored blob of every label and raise an alert for each bad one."""
    checked = changed = missing = alerts = 0
    blobs = Blob.objects.unscoped().select_related("label").order_by("pk")
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
            raised = alert_raise(
                label=blob.label,
                kind=Alert.Kind.BLOB_CHANGED,
                key=f"blob-changed:{blob.sha256}",
                message=(
                    f"The stored file received {received} with SHA-256 {blob.sha256} has "
                    f"changed: its bytes now hash to {found}.{_uses(blob)}"
                ),
                blob=blob,
            )
        alerts += raised is not None
        logger.warning(
            "Integrity check: blob %s of %s is %s",
            blob.sha256,
            blob.label.slug,
            "missing" if found is None else "changed",
        )
    report = SanityReport(checked=checked, changed=changed, missing=missing, alerts=alerts)
    logger.info("Integrity check: %s", report)
    return report
