"""What the evidence app registers with the core and its own registries.

Called once from ``EvidenceConfig.ready``: navigation entries, the dashboard panel, demo
data, the sources of matter items (its own evidence items and captures, and the catalog's
documents, which sit in a lower layer that cannot import this app), the capture as a
timestamp subject, the label's TSA for signatures and ledger anchors, and the alert of a
signal audit that found gaps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext_lazy

from catalog.models import Consent, Contract, ContributionRecord, Master
from catalog.record_sections import RecordSection, register_record_section
from evidence.matter_items import (
    MatterItemSnapshot,
    MatterItemSource,
    NotAddable,
    matter_item_suggestions,
    register_matter_item_source,
)
from evidence.matter_page import TimelineEntry, register_matter_timeline_source
from evidence.models import Capture, EvidenceItem, Matter
from evidence.selectors import (
    check_terms_captured,
    escalate_step_done,
    evidence_summary,
    label_matters,
    matter_items,
    matter_notes,
    matter_packets,
    matters_by_status,
    open_alerts,
    open_alerts_by_kind,
    recording_evidence,
    signing_tsa_url,
    tsa_certificate_fingerprints,
)
from evidence.services.capture_evidence import (
    SUBJECT_TYPE,
    capture_provenance_load,
    capture_timestamp_add,
    capture_timestamp_failed,
    capture_title,
    capture_title_message,
    timestamp_facts,
)
from evidence.services.captures import CaptureFiles, output_filenames
from evidence.services.integrity import blob_changed_alert
from evidence.services.items import evidence_item_from_bytes
from evidence.services.matters import matter_create, matter_item_add, matter_note_add
from evidence.services.signal_gaps import audit_gaps_alert
from evidence.services.timestamps import (
    TimestampSubject,
    ledger_anchor_authority,
    register_timestamp_subject,
)
from optout.coverage import (
    CoverageCheck,
    FirstWeekStep,
    register_coverage_check,
    register_first_week_step,
)
from optout.dashboard import Panel, register_panel
from optout.demo import register_demo_seeder
from optout.ledger_anchoring import register_ledger_timestamp_authority
from optout.lib.canonical import utc_iso
from optout.lib.charts import bar_chart
from optout.lib.i18n import message_english, message_store
from optout.lookups import Lookup, Suggestion, register_lookup
from optout.models import Blob, Label, User
from optout.navigation import NavItem, register_nav_item
from optout.policy.models import SignalAudit
from optout.policy.services.audits import register_audit_done_hook
from optout.policy.services.signing import register_signing_timestamp_authority
from optout.public_sections import PublicSection, register_public_section
from optout.services.blobs import register_integrity_listener
from optout.tenancy import LabelAccess

# --- the dashboard panel and demo data -----------------------------------------------------


def _panel(access: LabelAccess) -> dict[str, Any]:
    return {
        "label": access.label,
        "summary": evidence_summary(label=access.label),
        "matters": list(label_matters(label=access.label, status="open")[:5]),
        "alerts": list(open_alerts(label=access.label)[:5]),
    }


def _charts_panel(access: LabelAccess) -> dict[str, Any]:
    from django.utils.translation import gettext

    matters = matters_by_status(label=access.label)
    alerts = open_alerts_by_kind(label=access.label)
    return {
        "label": access.label,
        "matters": matters,
        "alerts": alerts,
        "matters_chart": bar_chart(
            title=gettext("Matters by status"), rows=[(name, n) for _, name, n in matters]
        ),
        "alerts_chart": bar_chart(
            title=gettext("Open alerts"), rows=[(name, n) for _, name, n in alerts]
        )
        if alerts
        else "",
    }


def _recording_section(access: LabelAccess, recording: Any) -> dict[str, Any]:
    return {
        "label": access.label,
        "recording": recording,
        **recording_evidence(label=access.label, recording_id=recording.pk),
    }


def _url(name: str) -> Callable[[Label], str]:
    from django.urls import reverse

    return lambda label: reverse(name, kwargs={"slug": label.slug})


def _register_coverage() -> None:
    register_coverage_check(
        CoverageCheck(
            "terms",
            _("Terms published and captured within the freshness window"),
            2,
            _url("evidence:captures"),
            check_terms_captured,
            ngettext_lazy(
                "%(count)s recording lacks published terms captured recently: publish and "
                "capture your terms page",
                "%(count)s recordings lack published terms captured recently: publish and "
                "capture your terms page",
                "count",
            ),
            order=70,
        )
    )  # fmt: skip
    register_first_week_step(
        FirstWeekStep(
            "escalate",
            50,
            _("Escalate with evidence"),
            _("Open a matter for an infringement and put the evidence in it, ready for a "
              "packet."),
            escalate_step_done,
            _url("evidence:matters"),
        )
    )  # fmt: skip
    register_panel(Panel("coverage-charts", "evidence/panels/charts.html", _charts_panel, order=15))
    register_record_section(
        RecordSection(
            "evidence", "recording", "evidence/record_section.html", _recording_section, order=50
        )
    )


def _public_tsa(label: Label) -> dict[str, Any] | None:
    """The fingerprints counsel compares with the one verify.py prints (public)."""
    certificates = tsa_certificate_fingerprints(label=label)
    return {"certificates": certificates} if certificates else None


_DEMO_LETTER = """From: rights@northernlights.example
To: legal@example-ai.example
Date: 2 March 2026
Subject: Reservation of rights: Northern Lights Records catalogue

Northern Lights Records AB reserves all rights in its sound recordings and works against
text and data mining and the training of AI models (Article 4(3) Directive (EU) 2019/790).
Your crawler fetched our catalogue pages on 1 March 2026. Confirm within 14 days that no
recording of ours is in any training set, or tell us how it will be removed.
"""


def _seed(label: Label, owner: User) -> None:
    letter = evidence_item_from_bytes(
        label=label,
        actor=owner,
        data=_DEMO_LETTER.encode(),
        filename="reservation-letter-2026-03-02.txt",
        kind="correspondence",
        title="Reservation letter to Example AI",
        document_date=date(2026, 3, 2),
        source="Sent by e-mail",
    )
    matter = matter_create(
        label=label,
        actor=owner,
        title="Example AI: training on our catalogue",
        summary="Their crawler fetched our catalogue; we asked them to confirm removal.",
        target_company="Example AI Ltd",
        target_platform="Example AI model hub",
        target_url="https://example-ai.example/models",
        territory="SE",
    )
    matter_item_add(matter=matter, actor=owner, source_key="evidence", source_code=letter.code)
    matter_note_add(matter=matter, actor=owner, text="Letter sent; reply due 16 March 2026.")


# --- matter items: the evidence app's own ------------------------------------------------


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


def _capture_snapshot(capture: Capture) -> MatterItemSnapshot:
    if capture.status != Capture.Status.DONE or capture.bundle is None:
        raise NotAddable(_("Only a finished capture can be added."))
    assert capture.captured_at is not None
    names = output_filenames(url=capture.url, moment=capture.captured_at)
    return MatterItemSnapshot(
        blob=capture.bundle,
        title=capture_title(capture),
        title_message=capture_title_message(capture),
        filename=names["bundle"],
        description=capture.note,
        recorded_at=capture.captured_at,
        source_url=capture.url,
        provenance={
            "type": "capture",
            "capture": str(capture.code),
            "purpose": capture.purpose,
            "url": capture.url,
            "final_url": capture.final_url,
            "http_status": capture.http_status or 0,
            "peer_ip": capture.peer_ip,
            "captured_at": utc_iso(capture.captured_at),
            "rendered": capture.rendered,
            "render_note": capture.render_note,
            "outputs": {
                name: {"filename": names[name], "sha256": blob.sha256, "size": blob.size}
                for name, blob in CaptureFiles.of(capture).stored()
            },
            "timestamp": timestamp_facts(capture),
        },
    )


def _finished_captures(label: Label) -> QuerySet[Capture]:
    return (
        Capture.objects.for_label(label)
        .filter(status=Capture.Status.DONE)
        .select_related("bundle", "warc", "screenshot", "pdf", "provenance", "timestamp", "label")
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
    title = message_store(
        gettext_noop("Master of “%(title)s”, version %(version)s"),
        {"title": recording.title, "version": master.version},
    )
    return MatterItemSnapshot(
        blob=master.blob,
        title=message_english(title),
        title_message=title,
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


# key, model, verbose name, snapshot, related rows to load, order
_CATALOG_SOURCES: tuple[
    tuple[str, type[Any], Any, Callable[[Any], MatterItemSnapshot], tuple[str, ...], int], ...
] = (
    ("master", Master, _("master"), _master_snapshot, ("blob", "recording"), 30),
    ("contract", Contract, _("contract"), _contract_snapshot, ("document", "partner"), 40),
    (
        "contribution",
        ContributionRecord,
        _("contribution record"),
        _contribution_snapshot,
        ("file", "recording", "contributor"),
        50,
    ),
    ("consent", Consent, _("consent"), _consent_snapshot, ("document", "party"), 60),
)


def _catalog_queryset(
    model: type[Any], related: tuple[str, ...]
) -> Callable[[Label], QuerySet[Any]]:
    def queryset(label: Label) -> QuerySet[Any]:
        return model.objects.for_label(label).select_related(*related)  # type: ignore[no-any-return]

    return queryset


def _register_catalog_sources() -> None:
    for key, model, verbose_name, snapshot, related, order in _CATALOG_SOURCES:
        register_matter_item_source(
            MatterItemSource(
                key=key,
                model=f"catalog.{model.__name__}",
                verbose_name=verbose_name,
                snapshot=snapshot,
                queryset=_catalog_queryset(model, related),
                order=order,
            )
        )


def _download_found_changed(blob: Blob, found: str) -> None:
    blob_changed_alert(blob=blob, found=found)


def _matter_timeline(matter: Matter) -> list[TimelineEntry]:
    """The matter's own steps: opened, items added or withdrawn, notes, packets built."""
    entries = [
        TimelineEntry(
            at=matter.created_at,
            title=str(_("Matter opened")),
            actor=matter.created_by.email if matter.created_by else "",
        )
    ]
    for item in matter_items(matter=matter):
        entries.append(
            TimelineEntry(
                at=item.created_at,
                title=str(_("Item added: %(title)s") % {"title": item.display_title}),
                actor=item.added_by.email if item.added_by else "",
            )
        )
    for note in matter_notes(matter=matter):
        entries.append(
            TimelineEntry(
                at=note.created_at,
                title=str(_("Note")),
                detail=note.text[:200],
                actor=note.author.email if note.author else "",
            )
        )
    for packet in matter_packets(matter=matter).filter(built_at__isnull=False):
        assert packet.built_at is not None
        entries.append(TimelineEntry(at=packet.built_at, title=str(_("Packet built"))))
    return entries


def _matter_item_lookup(label: Label, query: str, within: str) -> list[Suggestion]:
    # The value is the object's code (the matter form's "Its id"); the text says what it is.
    return [
        Suggestion(value=str(obj.code), text=f"{source.verbose_name}: {obj}")
        for source, obj in matter_item_suggestions(label=label, query=query, source_key=within)
    ]


def register() -> None:
    register_matter_timeline_source("evidence", _matter_timeline)
    register_nav_item(NavItem("evidence", _("Evidence"), "evidence:index", order=300))
    register_lookup(Lookup("matter-items", _("Matter items"), _matter_item_lookup))
    register_nav_item(NavItem("captures", _("Captures"), "evidence:captures", order=400))
    register_panel(Panel("evidence", "evidence/panels/evidence.html", _panel, order=300))
    register_demo_seeder("evidence", _seed, order=300)
    _register_coverage()
    register_public_section(
        PublicSection(
            "evidence-tsa", "evidence/public/tsa_certificates.html", _public_tsa, order=300
        )
    )
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
    register_matter_item_source(
        MatterItemSource(
            key="capture",
            model="evidence.Capture",
            verbose_name=_("capture"),
            snapshot=_capture_snapshot,
            queryset=_finished_captures,
            order=20,
        )
    )
    _register_catalog_sources()
    register_timestamp_subject(
        SUBJECT_TYPE,
        TimestampSubject(
            load=capture_provenance_load,
            on_stamped=capture_timestamp_add,
            on_failed=capture_timestamp_failed,
        ),
    )
    # C2PA signatures of tagged copies are timestamped by the label's evidence TSA.
    register_signing_timestamp_authority(signing_tsa_url)
    # A download that finds a changed file raises the same alert as the integrity check.
    register_integrity_listener(_download_found_changed)
    # The label's TSA also timestamps its ledger head (optout.services.ledger_anchors).
    register_ledger_timestamp_authority(ledger_anchor_authority)
    # A signal audit that found gaps is an alert; the next clean audit of the domain ends it.
    register_audit_done_hook(_audit_done)


def _audit_done(audit: SignalAudit) -> None:
    audit_gaps_alert(audit=audit)
