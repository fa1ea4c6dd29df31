"""Anchor each label's ledger outside the database: its head, timestamped by its TSA.

A ``LedgerAnchor`` keeps the stamped head record and the TSA's token as blobs. Beat asks
for one per label with a TSA and entries since its last anchor (``ledger_anchors_schedule``);
every evidence packet build asks for one too (``ledger_anchor_request``). The verifier
(``optout.services.ledger``) then requires the chain to reproduce every anchored head.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext_noop

from optout.ledger_anchoring import ledger_timestamp_authority
from optout.models import Job, Label, LedgerAnchor, LedgerEntry, LedgerHead, User
from optout.services.blobs import blob_store_bytes
from optout.services.jobs import job_create
from optout.services.ledger import head_record

logger = logging.getLogger(__name__)

ANCHOR_JOB = "ledger.anchor"


def ledger_anchor_due(*, label: Label) -> bool:
    """True when the label's chain has entries its newest anchor does not cover.

    The anchoring's own blob entries (its record and token stored) do not count, or every
    anchor would make the next one due.
    """
    head = LedgerHead.objects.filter(label=label).first()
    if head is None or head.seq == 0:
        return False
    last = LedgerAnchor.objects.for_label(label).order_by("-seq", "-pk").first()
    if last is None:
        return True
    return (
        LedgerEntry.objects.for_label(label)
        .filter(seq__gt=last.seq)
        .exclude(blob_id__in=(last.record_id, last.token_id))
        .exists()
    )


def ledger_anchor_create(*, label: Label) -> LedgerAnchor | None:
    """Timestamp the label's current head now; None when it has no TSA or no entries.

    Raises ``AnchorTokenError`` when the TSA gave no token that verifies.
    """
    authority = ledger_timestamp_authority(label)
    head = LedgerHead.objects.filter(label=label).first()
    if authority is None or head is None or head.seq == 0:
        return None
    record = head_record(label_code=str(label.code), seq=head.seq, entry_hash=head.entry_hash)
    stamp = authority.stamp(record)
    with transaction.atomic():
        record_blob = blob_store_bytes(
            label=label, data=record, actor=None, media_type="application/json"
        )
        token_blob = blob_store_bytes(
            label=label, data=stamp.token, actor=None, media_type="application/timestamp-reply"
        )
        anchor: LedgerAnchor = LedgerAnchor.objects.create(
            label=label,
            seq=head.seq,
            entry_hash=head.entry_hash,
            record=record_blob,
            token=token_blob,
            gen_time=stamp.gen_time,
            tsa_url=authority.url[:500],
        )
    logger.info("Ledger of %s anchored at #%s", label.slug, head.seq)
    return anchor


def ledger_anchor_request(*, label: Label, actor: User | None) -> Job | None:
    """Queue a job anchoring the label's head, unless it has no TSA or one is queued."""
    if ledger_timestamp_authority(label) is None:
        return None
    open_jobs = Job.objects.for_label(label).filter(
        kind=ANCHOR_JOB, status__in=(Job.Status.PENDING, Job.Status.RUNNING)
    )
    if open_jobs.exists():
        return None
    return job_create(
        label=label, kind=ANCHOR_JOB, actor=actor, title=gettext_noop("Timestamp the ledger's head")
    )


def ledger_anchors_schedule() -> int:
    """Beat: request an anchor for every active label with a TSA and uncovered entries."""
    queued = 0
    for label in Label.objects.filter(is_active=True).order_by("pk"):
        if ledger_anchor_due(label=label) and ledger_anchor_request(label=label, actor=None):
            queued += 1
    return queued
