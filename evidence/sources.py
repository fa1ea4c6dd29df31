"""What the evidence app offers to matters: its own evidence items and the catalog's documents."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import Consent, Contract, ContributionRecord, Master
from evidence.models import EvidenceItem
from optout.lib.canonical import utc_iso
from optout.matter_items import (
    MatterItemSnapshot,
    MatterItemSource,
    NotAddable,
    register_matter_item_source,
)
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


# --- the catalog's documents ---------------------------------------------------------------
# The catalog sits below this app and cannot import it; its documents are offered here.


def _contract_snapshot(contract: Contract) -> MatterItemSnapshot:
    if contract.document is None:
        raise NotAddable(_("This contract has no signed document uploaded yet."))
    return MatterItemSnapshot(
        blob=contract.document,
        title=contract.title,
        filename=contract.document_name or f"{contract.title}.pdf",
        description=contract.notes,
        document_date=contract.signed_on,
        recorded_at=contract.created_at,
        provenance={
            "type": "contract",
            "contract": str(contract.code),
            "kind": contract.kind,
            "partner": contract.partner.name if contract.partner else "",
            "signed_on": contract.signed_on.isoformat() if contract.signed_on else "",
            "ai_training": contract.ai_training,
            "ai_voice": contract.ai_voice,
            "ai_sublicensing": contract.ai_sublicensing,
            "territories": [str(t) for t in contract.territories or []],
        },
    )


def _master_snapshot(master: Master) -> MatterItemSnapshot:
    if master.status != Master.Status.READY:
        raise NotAddable(
            _(
                "Only a master whose stored file was checked against what was received can be "
                "added; this one is %(status)s."
            )
            % {"status": master.get_status_display()}
        )
    recording = master.recording
    return MatterItemSnapshot(
        blob=master.blob,
        title=_("Master of “%(title)s”, version %(version)s")
        % {"title": recording.title, "version": master.version},
        filename=master.original_name,
        recorded_at=master.created_at,
        provenance={
            "type": "master",
            "master": str(master.code),
            "recording": str(recording.code),
            "recording_title": recording.title,
            "isrc": recording.isrc,
            "version": master.version,
            "received_sha256": master.received_sha256,
            "verified_sha256": master.verified_sha256,
            "payload_sha256": master.payload_sha256,
            "format": master.format,
            "codec": master.codec,
            "duration_ms": master.duration_ms or 0,
            "uploaded_at": utc_iso(master.created_at),
            "verified_at": utc_iso(master.verified_at) if master.verified_at else "",
        },
    )


def _contribution_snapshot(record: ContributionRecord) -> MatterItemSnapshot:
    if record.file is None:
        raise NotAddable(_("This contribution record has no file uploaded yet."))
    return MatterItemSnapshot(
        blob=record.file,
        title=record.title,
        filename=record.file_name or record.title,
        description=record.description,
        document_date=record.made_on,
        recorded_at=record.created_at,
        provenance={
            "type": "contribution_record",
            "contribution_record": str(record.code),
            "kind": record.kind,
            "recording": str(record.recording.code),
            "recording_title": record.recording.title,
            "isrc": record.recording.isrc,
            "made_by": record.contributor.name if record.contributor else "",
        },
    )


def _consent_snapshot(consent: Consent) -> MatterItemSnapshot:
    if consent.document is None:
        raise NotAddable(_("This consent has no document uploaded yet."))
    return MatterItemSnapshot(
        blob=consent.document,
        title=consent.title,
        filename=consent.document_name or consent.title,
        description=consent.scope,
        document_date=consent.granted_on,
        recorded_at=consent.created_at,
        provenance={
            "type": "consent",
            "consent": str(consent.code),
            "kind": consent.kind,
            "given_by": consent.party.name if consent.party else "",
            "granted_on": consent.granted_on.isoformat() if consent.granted_on else "",
            "expires_on": consent.expires_on.isoformat() if consent.expires_on else "",
        },
    )


def register_catalog_sources() -> None:
    register_matter_item_source(
        MatterItemSource(
            key="master",
            model="catalog.Master",
            verbose_name=_("master"),
            snapshot=_master_snapshot,
            queryset=lambda label: Master.objects.for_label(label).select_related(
                "blob", "recording"
            ),
            order=30,
        )
    )
    register_matter_item_source(
        MatterItemSource(
            key="contract",
            model="catalog.Contract",
            verbose_name=_("contract"),
            snapshot=_contract_snapshot,
            queryset=lambda label: Contract.objects.for_label(label).select_related(
                "document", "partner"
            ),
            order=40,
        )
    )
    register_matter_item_source(
        MatterItemSource(
            key="contribution",
            model="catalog.ContributionRecord",
            verbose_name=_("contribution record"),
            snapshot=_contribution_snapshot,
            queryset=lambda label: ContributionRecord.objects.for_label(label).select_related(
                "file", "recording", "contributor"
            ),
            order=50,
        )
    )
    register_matter_item_source(
        MatterItemSource(
            key="consent",
            model="catalog.Consent",
            verbose_name=_("consent"),
            snapshot=_consent_snapshot,
            queryset=lambda label: Consent.objects.for_label(label).select_related(
                "document", "party"
            ),
            order=60,
        )
    )
