"""What monitoring adds to the shared registries: the catalog's master-ready hook (a ready
master gets fingerprinted) and the suspect as something a matter can hold."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from catalog.services.masters import register_master_ready_hook
from evidence.matter_items import (
    MatterItemSnapshot,
    MatterItemSource,
    NotAddable,
    register_matter_item_source,
)
from evidence.services.captures import register_capture_finished_hook
from monitoring.models import CrawlerLog, FanReportGroup, Suspect
from monitoring.selectors import check_fingerprinted, monitor_step_done
from monitoring.services.fingerprints import on_master_ready
from monitoring.services.reports import fan_reports_snapshot
from monitoring.services.watches import watch_capture_finished
from optout.coverage import (
    CoverageCheck,
    FirstWeekStep,
    register_coverage_check,
    register_first_week_step,
)
from optout.models import Label
from optout.navigation import NavItem, register_nav_item


def _suspect_snapshot(suspect: Suspect) -> MatterItemSnapshot:
    if suspect.status != Suspect.Status.DONE:
        raise NotAddable(_("The suspect has not been checked yet."))
    matches = list(suspect.matches.select_related("recording", "master"))
    assert suspect.blob is not None  # a checked suspect has its audio
    return MatterItemSnapshot(
        blob=suspect.blob,
        title=_("Suspect copy %(name)s") % {"name": suspect.original_name},
        filename=suspect.original_name,
        description=_("Matched by audio fingerprint: %(titles)s")
        % {"titles": ", ".join(m.recording.title for m in matches) or "-"},
        recorded_at=suspect.created_at,
        source_url=suspect.url,
        provenance={
            "type": "suspect",
            "suspect": str(suspect.code),
            "sha256": suspect.blob.sha256,
            "url": suspect.url,
            "audio_url": suspect.audio_url,
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


def _monitoring_url(label: Label) -> str:
    from django.urls import reverse

    return reverse("monitoring:index", kwargs={"slug": label.slug})


def _register_coverage() -> None:
    register_coverage_check(
        CoverageCheck(
            "fingerprint",
            gettext_lazy("Fingerprinted for monitoring"),
            1,
            _monitoring_url,
            check_fingerprinted,
            ngettext_lazy(
                "%(count)s recording is not fingerprinted: upload or re-check its master",
                "%(count)s recordings are not fingerprinted: upload or re-check their masters",
                "count",
            ),
            order=90,
        )
    )  # fmt: skip
    register_first_week_step(
        FirstWeekStep(
            "monitor",
            40,
            gettext_lazy("Monitor for copies"),
            gettext_lazy("Fingerprint your masters so that suspect files can be matched "
                         "against the catalog."),
            monitor_step_done,
            _monitoring_url,
        )
    )  # fmt: skip


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
    _register_coverage()
    register_nav_item(
        NavItem("monitoring", gettext_lazy("Monitoring"), "monitoring:index", order=60)
    )
    register_master_ready_hook(on_master_ready)
    register_capture_finished_hook(watch_capture_finished)
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
            key="fan_reports",
            model="monitoring.FanReportGroup",
            verbose_name=gettext_lazy("fan reports of a page"),
            snapshot=fan_reports_snapshot,
            queryset=lambda label: FanReportGroup.objects.for_label(label),
            order=85,
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
            order=86,
        )
    )
