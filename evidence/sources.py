"""The evidence app's own kinds of matter item (uploaded evidence items)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from evidence.models import EvidenceItem
from optout.lib.canonical import utc_iso
from optout.matter_items import MatterItemSnapshot, MatterItemSource, register_matter_item_source
from optout.models import Label


def _evidence_snapshot(item: EvidenceItem) -> MatterItemSnapshot:
    return MatterItemSnapshot(
        blob=item.blob,
        title=item.title,
        filename=item.filename,
        description=item.description,
        document_date=item.document_date,
        recorded_at=item.created_at,
        source_url=item.source_url,
        provenance={
            "type": "upload",
            "evidence_item": str(item.code),
            "kind": item.kind,
            "source": item.source,
            "uploaded_by": item.created_by.email if item.created_by else "",
            "uploaded_at": utc_iso(item.created_at),
            "original_filename": item.filename,
            "media_type": item.blob.media_type,
        },
    )


def _active_items(label: Label) -> QuerySet[Any]:
    return EvidenceItem.objects.for_label(label).active().select_related("blob", "created_by")


def register() -> None:
    register_matter_item_source(
        MatterItemSource(
            key="evidence",
            model="evidence.EvidenceItem",
            verbose_name=_("evidence item"),
            snapshot=_evidence_snapshot,
            queryset=_active_items,
            order=10,
        )
    )
