"""What monitoring adds to the shared registries: the catalog's master-ready hook (a ready
master gets fingerprinted) and the suspect as something a matter can hold."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.services.masters import register_master_ready_hook
from evidence.matter_items import (
    MatterItemSnapshot,
    MatterItemSource,
    NotAddable,
    register_matter_item_source,
)
from monitoring.models import CrawlerLog, Suspect
from monitoring.services.fingerprints import on_master_ready
from optout.navigation import NavItem, register_nav_item


def _suspect_snapshot(suspect: Suspect) -> MatterItemSnapshot:
    if suspect.status != Suspect.Status.DONE:
        raise NotAddable(_("The suspect has not been checked yet."))
    matches = list(suspect.matches.select_related("recording", "master"))
    return MatterItemSnapshot(
        blob=suspect.blob,
        title=_("Suspect copy %(name)s") % {"name": suspect.original_name},
        filename=suspect.original_name,
        description=_("Matched by audio fingerprint: %(titles)s")
        % {"titles": ", ".join(m.recording.title for m in matches) or "-"},
        recorded_at=suspect.created_at,
        provenance={
            "type": "suspect",
            "suspect": str(suspect.code),
            "sha256": suspect.blob.sha256,
            # Strings, not floats: the provenance is hashed as JSON.
            "matches": [
                {
                    "recording": str(m.recording.code),
                    "isrc": m.isrc,
                    "master": str(m.master.code),
                    "master_version": m.master.version,
                    "score": f"{m.score:.4f}",
                    "suspect_offset_s": f"{m.suspect_offset:.2f}",
                    "master_offset_s": f"{m.master_offset:.2f}",
                    "length_s": f"{m.length:.2f}",
                    "speed": f"{m.rate:g}",
                }
                for m in matches
            ],
        },
    )


def _crawler_log_snapshot(log: CrawlerLog) -> MatterItemSnapshot:
    if log.status != CrawlerLog.Status.DONE or log.export_blob is None:
        raise NotAddable(_("The log has not been analysed yet."))
    report = log.report
    return MatterItemSnapshot(
        blob=log.export_blob,
        title=_("AI crawler violations in %(name)s") % {"name": log.original_name},
        filename=f"crawler-log-{log.code}.zip",
        description=_("%(violations)s violating requests; log SHA-256 %(sha256)s")
        % {"violations": report.get("violations", 0), "sha256": log.sha256},
        recorded_at=log.analysed_at,
        provenance={
            "type": "crawler_log",
            "crawler_log": str(log.code),
            "log_sha256": log.sha256,
            "log_size": str(log.size),
            "first_day": report.get("first_day"),
            "last_day": report.get("last_day"),
            "violations": str(report.get("violations", 0)),
            "policy_versions": sorted(report.get("policy_versions", {})),
        },
    )


def register() -> None:
    register_nav_item(
        NavItem("monitoring", gettext_lazy("Monitoring"), "monitoring:index", order=60)
    )
    register_master_ready_hook(on_master_ready)
    register_matter_item_source(
        MatterItemSource(
            key="suspect",
            model="monitoring.Suspect",
            verbose_name=gettext_lazy("suspect copy"),
            snapshot=_suspect_snapshot,
            queryset=lambda label: Suspect.objects.for_label(label).select_related("blob"),
            order=80,
        )
    )
    register_matter_item_source(
        MatterItemSource(
            key="crawler_log",
            model="monitoring.CrawlerLog",
            verbose_name=gettext_lazy("crawler log report"),
            snapshot=_crawler_log_snapshot,
            queryset=lambda label: (
                CrawlerLog.objects.for_label(label)
                .filter(status=CrawlerLog.Status.DONE)
                .select_related("export_blob")
            ),
            order=85,
        )
    )
