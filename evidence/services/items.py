"""Evidence items: files users bring in as evidence. Added, described, withdrawn; never deleted."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.models import EvidenceItem, Matter, MatterItem
from evidence.services.links import catalog_links_resolve, link_codes
from optout.lib.canonical import utc_iso
from optout.lib.files import safe_filename
from optout.lib.hashing import sha256_file
from optout.lib.tempfiles import temp_dir
from optout.models import Label, User
from optout.services.blobs import blob_store_upload
from optout.services.ledger import ledger_append
from optout.uploads import HashedUploadedFile

EDITABLE_FIELDS = ("kind", "title", "description", "document_date", "source", "source_url")


def _validated(item: EvidenceItem, *, exclude: list[str] | None = None) -> None:
    item.title = (item.title or "").strip()
    item.source = (item.source or "").strip()
    item.source_url = (item.source_url or "").strip()
    item.full_clean(exclude=["label", "blob", *(exclude or [])], validate_unique=False)


def _facts(item: EvidenceItem) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "title": item.title,
        "document_date": item.document_date.isoformat() if item.document_date else "",
        "source": item.source,
        "source_url": item.source_url,
    }


@transaction.atomic
def evidence_item_create(
    *,
    label: Label,
    actor: User | None,
    upload: HashedUploadedFile,
    kind: str,
    title: str = "",
    description: str = "",
    document_date: date | None = None,
    source: str = "",
    source_url: str = "",
    recordings: Iterable[Any] | None = None,
    works: Iterable[Any] | None = None,
) -> EvidenceItem:
    """Store an uploaded file as an evidence item; the addition is a ledger entry."""
    if upload.digest.size == 0:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")
    linked_recordings, linked_works = catalog_links_resolve(
        label=label, recordings=recordings, works=works
    )
    # PostgreSQL text cannot hold NUL (the ledger writes U+FFFD for it too); the rest is kept.
    filename = (upload.name or "").replace("\x00", "\ufffd").strip() or "evidence"
    item = EvidenceItem(
        label=label,
        kind=kind,
        title=title.strip() or safe_filename(filename, max_length=300),
        description=description,
        document_date=document_date,
        source=source,
        source_url=source_url,
        filename=filename[:255],
        created_by=actor,
    )
    # Check the description before the file goes into the store: a rejected form leaves
    # nothing behind but the upload's temporary file, which the request removes.
    _validated(item)
    item.blob = blob_store_upload(label=label, upload=upload, actor=actor)
    item.save()
    item.recordings.set(linked_recordings or [])
    item.works.set(linked_works or [])
    ledger_append(
        label=label,
        actor=actor,
        action="evidence.item_added",
        subject=item,
        blob=item.blob,
        data={
            **_facts(item),
            **link_codes(item),
            "filename": item.filename,
            "size": item.blob.size,
        },
    )
    return item


@transaction.atomic
def evidence_item_update(
    *,
    item: EvidenceItem,
    actor: User | None,
    recordings: Iterable[Any] | None = None,
    works: Iterable[Any] | None = None,
    **values: Any,
) -> EvidenceItem:
    """Change what is said about an item (never its file). Withdrawn items stay as they were.

    ``recordings`` and ``works`` (ids), when given, replace the item's links.
    """
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    item = EvidenceItem.objects.for_label(item.label).select_for_update().get(pk=item.pk)
    if item.is_withdrawn:
        raise ValidationError(
            _("This item was withdrawn; it can no longer be changed."), code="withdrawn"
        )
    linked_recordings, linked_works = catalog_links_resolve(
        label=item.label, recordings=recordings, works=works
    )
    before = {**_facts(item), **link_codes(item)}
    for name, value in values.items():
        setattr(item, name, value)
    _validated(item)
    if linked_recordings is not None:
        item.recordings.set(linked_recordings)
    if linked_works is not None:
        item.works.set(linked_works)
    after = {**_facts(item), **link_codes(item)}
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if not changed:
        return item
    item.save()
    ledger_append(
        label=item.label,
        actor=actor,
        action="evidence.item_updated",
        subject=item,
        data={"changed": changed},
    )
    return item


def _matters_on_hold_holding(item: EvidenceItem) -> list[Matter]:
    codes = (
        MatterItem.objects.for_label(item.label)
        .active()
        .filter(source_key="evidence", source_code=item.code)
    )
    return list(
        Matter.objects.for_label(item.label)
        .select_for_update()
        .filter(pk__in=codes.values("matter_id"), legal_hold=True)
        .order_by("title")
    )


@transaction.atomic
def evidence_item_withdraw(*, item: EvidenceItem, actor: User | None, reason: str) -> EvidenceItem:
    """Withdraw an item with a reason. Refused while a matter holding it is on legal hold."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the item is withdrawn; the reason goes on the record.")},
            code="required",
        )
    item = EvidenceItem.objects.for_label(item.label).select_for_update().get(pk=item.pk)
    if item.is_withdrawn:
        raise ValidationError(_("This item was already withdrawn."), code="withdrawn")
    held = _matters_on_hold_holding(item)
    if held:
        raise ValidationError(
            _(
                "This item is under legal hold in %(matters)s and cannot be withdrawn until "
                "the hold is released."
            )
            % {"matters": ", ".join(f"“{m.title}”" for m in held)},
            code="legal_hold",
        )
    now = timezone.now()
    item.status = EvidenceItem.Status.WITHDRAWN
    item.withdrawn_at = now
    item.withdrawn_by = actor
    item.withdrawal_reason = reason
    item.save(
        update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"]
    )
    ledger_append(
        label=item.label,
        actor=actor,
        action="evidence.item_withdrawn",
        subject=item,
        blob=item.blob,
        data={"reason": reason, "withdrawn_at": utc_iso(now)},
    )
    return item


def evidence_item_from_bytes(
    *, label: Label, actor: User | None, data: bytes, filename: str, **fields: Any
) -> EvidenceItem:
    """An evidence item from bytes in memory (system code, demo data): the same path as an
    upload, so it is hashed, stored and logged the same way."""
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=temp_dir())
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    upload = HashedUploadedFile(
        path=Path(name),
        name=filename,
        content_type="application/octet-stream",
        digest=sha256_file(name),
        charset=None,
    )
    try:
        return evidence_item_create(label=label, actor=actor, upload=upload, **fields)
    finally:
        upload.close()
