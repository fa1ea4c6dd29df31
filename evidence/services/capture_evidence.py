"""A capture as evidence: its RFC 3161 timestamp, a matter item, an evidence item.

* When the label has a timestamp authority, the capture's provenance record (which holds
  the SHA-256 of every other output) is stamped. A stamp counts only once the evidence
  app has verified the token (``evidence.services.timestamps``); until then, and after a
  failure, the capture is simply not stamped. When the token arrives the bundle is built
  again with it, as a new blob.
* A finished capture can be added to a matter (``{"capture": "<id>"}``): the item's file is
  the bundle.
* A finished capture can become an evidence item, whose file is the same bundle.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from evidence.matter_items import matter_item_source
from evidence.models import Capture, EvidenceItem, EvidenceKind, Timestamp
from evidence.services.captures import CaptureFiles, capture_bundle_build, output_filenames
from evidence.services.matters import matter_items_reseal
from evidence.services.timestamps import (
    timestamp_attempt,
    timestamp_prepare,
    timestamp_retry_later,
)
from optout.lib.canonical import utc_iso
from optout.lib.i18n import message_english, message_store
from optout.models import User
from optout.services.blobs import blob_open
from optout.services.ledger import ledger_append

SUBJECT_TYPE = "evidence.capture"
MATTER_ITEM_KEY = "capture"


# --- timestamps ----------------------------------------------------------------------------


def _provenance_bytes(capture: Capture) -> bytes:
    assert capture.provenance is not None
    with blob_open(capture.provenance) as handle:
        return handle.read()


def capture_timestamp_start(*, capture: Capture) -> Timestamp | None:
    """Ask for the provenance record's timestamp once; a job keeps trying if the TSA fails.

    Returns None when the label has no timestamp authority.
    """
    if capture.provenance is None:
        return None
    data = _provenance_bytes(capture)
    stamp = timestamp_prepare(
        label=capture.label, subject=capture, data=data, actor=capture.requested_by
    )
    if stamp is None:
        return None
    Capture.objects.for_label(capture.label).filter(pk=capture.pk).update(timestamp=stamp)
    if timestamp_attempt(stamp=stamp, data=data):
        stamp.refresh_from_db()
        capture_timestamp_add(stamp)
    else:
        timestamp_retry_later(stamp=stamp)
    return stamp


def _subject(stamp: Timestamp) -> Capture:
    capture: Capture = (
        Capture.objects.for_label(stamp.label)
        .select_related("label", "requested_by", "warc", "screenshot", "pdf", "provenance")
        .get(code=stamp.subject_code)
    )
    return capture


def capture_provenance_load(stamp: Timestamp) -> bytes:
    """The bytes a capture's timestamp stamps: its provenance record."""
    return _provenance_bytes(_subject(stamp))


@transaction.atomic
def capture_timestamp_add(stamp: Timestamp) -> None:
    """Put the verified token into a new bundle beside the provenance record it stamps."""
    if stamp.status != Timestamp.Status.STAMPED or stamp.token is None:
        raise ValueError("Only a verified timestamp goes into a capture's bundle.")
    capture = _subject(stamp)
    assert capture.captured_at is not None
    unstamped = capture.bundle_id
    bundle = capture_bundle_build(
        label=capture.label,
        actor=None,
        names=output_filenames(url=capture.url, moment=capture.captured_at),
        files=CaptureFiles.of(capture),
        timestamp_token=stamp.token,
        url=capture.url,
        captured_at=capture.captured_at,
    )
    Capture.objects.for_label(capture.label).filter(pk=capture.pk).update(
        bundle=bundle, timestamp=stamp
    )
    capture.bundle, capture.timestamp = bundle, stamp
    ledger_append(
        label=capture.label,
        actor=None,
        action="capture.output_stored",
        subject=capture,
        blob=bundle,
        data={"output": "bundle", "timestamp": str(stamp.code), "size": bundle.size},
    )
    # What already holds the capture gets the stamped bundle for the next packet.
    _reseal_holders(capture, source_key=MATTER_ITEM_KEY, subject=capture)
    if unstamped is not None:
        _reseal_evidence_items(capture, unstamped=unstamped)


def _reseal_evidence_items(capture: Capture, *, unstamped: int) -> None:
    """Evidence items made from the capture before its stamp take the stamped bundle, and
    so do the matter items made from them."""
    assert capture.bundle is not None
    holders = (
        EvidenceItem.objects.for_label(capture.label)
        .active()
        .select_for_update()
        .select_related("blob")
        .filter(blob_id=unstamped)
    )
    for item in holders:
        previous = item.blob.sha256
        item.blob = capture.bundle
        item.save(update_fields=["blob"])
        ledger_append(
            label=capture.label,
            actor=None,
            action="evidence.item_resealed",
            subject=item,
            blob=item.blob,
            data={"capture": str(capture.code), "previous_sha256": previous},
        )
        _reseal_holders(capture, source_key="evidence", subject=item)


def _reseal_holders(capture: Capture, *, source_key: str, subject: Any) -> None:
    """Matter items made from ``subject`` take its current snapshot (the source registered
    under ``source_key`` knows how to take it)."""
    source = matter_item_source(source_key)
    if source is not None:
        matter_items_reseal(
            label=capture.label,
            source_key=source.key,
            source_code=subject.code,
            snapshot=source.snapshot(subject),
        )


def capture_timestamp_failed(stamp: Timestamp) -> None:
    # The timestamp service has already recorded the failure and raised an alert; the
    # capture stays as it was, not stamped.
    return None


def timestamp_facts(capture: Capture) -> dict[str, Any]:
    stamp = capture.timestamp
    if stamp is None:
        return {"status": "none"}
    facts: dict[str, Any] = {"status": stamp.status, "over": "provenance record"}
    if stamp.status == Timestamp.Status.STAMPED and stamp.gen_time is not None:
        facts.update(
            gen_time=utc_iso(stamp.gen_time),
            tsa_url=stamp.tsa_url,
            message_sha256=stamp.message_sha256,
            token_member=output_filenames(
                url=capture.url, moment=capture.captured_at or capture.created_at
            )["provenance"]
            + ".tsr",
        )
    return facts


# --- matter items and evidence items -------------------------------------------------------


def capture_title_message(capture: Capture) -> dict[str, Any]:
    when = f"{capture.captured_at:%Y-%m-%d %H:%M} UTC" if capture.captured_at else ""
    return message_store(
        gettext_noop("Capture of %(url)s, %(when)s"), {"url": capture.url, "when": when}
    )


def capture_title(capture: Capture) -> str:
    """The English title (stored; pages render ``capture_title_message`` in their language)."""
    return message_english(capture_title_message(capture))[:300]


@transaction.atomic
def capture_to_evidence_item(
    *,
    capture: Capture,
    actor: User | None,
    kind: str = EvidenceKind.OTHER,
    title: str = "",
    description: str = "",
) -> EvidenceItem:
    """An evidence item whose file is the capture's bundle; the addition is a ledger entry."""
    if capture.status != Capture.Status.DONE or capture.bundle is None:
        raise ValidationError(_("Only a finished capture can become evidence."), code="not_done")
    assert capture.captured_at is not None
    source_url = capture.url
    try:
        URLValidator()(source_url)
    except ValidationError:
        source_url = ""  # an address the URL field would reject is still in the provenance
    item = EvidenceItem(
        label=capture.label,
        kind=kind,
        title=(title or "").strip() or capture_title(capture),
        description=(description or "").strip() or capture.note,
        document_date=capture.captured_at.date(),
        source=(_("Web capture (%(purpose)s)") % {"purpose": capture.get_purpose_display()})[:300],
        source_url=source_url[:2000],
        blob=capture.bundle,
        filename=output_filenames(url=capture.url, moment=capture.captured_at)["bundle"],
        created_by=actor,
    )
    item.full_clean(exclude=["label", "blob"], validate_unique=False)
    item.save()
    ledger_append(
        label=capture.label,
        actor=actor,
        action="evidence.item_added",
        subject=item,
        blob=item.blob,
        data={
            "kind": item.kind,
            "title": item.title,
            "from_capture": str(capture.code),
            "source_url": capture.url,
            "filename": item.filename,
            "size": item.blob.size,
        },
    )
    return item
