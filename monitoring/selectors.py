"""Reads of the monitoring app: the label's fingerprint index, index status, suspects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from catalog.models import Master
from monitoring.audio import unpack
from monitoring.index import ReferenceIndex
from monitoring.models import (
    CrawlerLog,
    CrawlerLogAgent,
    Fingerprint,
    PlatformControlCheck,
    Suspect,
)
from monitoring.models.controls import ControlState
from monitoring.services.controls import (
    ControlDef,
    due_on,
    label_control_defs,
    latest_checks,
    recheck_days,
)
from optout.models import Label

# Per worker process: label id -> (the fingerprint ids it was built from, the index).
_INDEXES: dict[int, tuple[tuple[int, ...], ReferenceIndex]] = {}


def index_fingerprint_ids(*, label: Label) -> tuple[int, ...]:
    """The fingerprints the index holds: per recording, the newest ready master version with
    a ready fingerprint (a master flagged or failed since is left out)."""
    rows = (
        Fingerprint.objects.for_label(label)
        .filter(status=Fingerprint.Status.READY, master__status=Master.Status.READY)
        .values_list("pk", "recording_id", "master__version")
    )
    newest: dict[int, tuple[int, int]] = {}
    for pk, recording, version in rows:
        if recording not in newest or version > newest[recording][1]:
            newest[recording] = (pk, version)
    return tuple(sorted(pk for pk, _version in newest.values()))


def label_index(*, label: Label) -> ReferenceIndex:
    """The label's index, rebuilt in this process only when the set of fingerprints it must
    hold changed (one small query decides): every worker answers from the same rows."""
    wanted = index_fingerprint_ids(label=label)
    cached = _INDEXES.get(label.pk)
    if cached is not None and cached[0] == wanted:
        return cached[1]
    rows = Fingerprint.objects.for_label(label).filter(pk__in=wanted).values_list("pk", "values")
    index = ReferenceIndex((str(pk), unpack(bytes(values))) for pk, values in rows)
    _INDEXES[label.pk] = (wanted, index)
    return index


@dataclass(frozen=True)
class IndexStatus:
    masters_ready: int
    fingerprinted: int
    pending: int
    failed: int
    indexed_recordings: int

    @property
    def missing(self) -> int:
        """Ready masters with no fingerprint at all (ready before fingerprinting existed)."""
        return max(self.masters_ready - self.fingerprinted - self.pending - self.failed, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "masters_ready": self.masters_ready,
            "fingerprinted": self.fingerprinted,
            "pending": self.pending,
            "failed": self.failed,
            "missing": self.missing,
            "indexed_recordings": self.indexed_recordings,
        }


def index_status(*, label: Label) -> IndexStatus:
    ready = Master.Status.READY
    counts = (
        Fingerprint.objects.for_label(label)
        .filter(master__status=ready)
        .aggregate(
            fingerprinted=Count("pk", filter=Q(status=Fingerprint.Status.READY)),
            pending=Count("pk", filter=Q(status=Fingerprint.Status.PENDING)),
            failed=Count("pk", filter=Q(status=Fingerprint.Status.FAILED)),
        )
    )
    return IndexStatus(
        masters_ready=Master.objects.for_label(label).filter(status=ready).count(),
        fingerprinted=counts["fingerprinted"],
        pending=counts["pending"],
        failed=counts["failed"],
        indexed_recordings=len(index_fingerprint_ids(label=label)),
    )


def label_suspects(*, label: Label) -> Any:
    return (
        Suspect.objects.for_label(label)
        .select_related("job", "blob", "created_by", "matter")
        .prefetch_related("matches__recording", "matches__master")
    )


# --- crawler logs ----------------------------------------------------------------------------


def label_crawler_logs(*, label: Label) -> Any:
    return (
        CrawlerLog.objects.for_label(label)
        .select_related("job", "blob", "created_by", "evidence_item", "export_blob")
        .order_by("-created_at")
    )


def crawler_agents_running(*, label: Label) -> list[dict[str, Any]]:
    """Per agent, over every analysed log of the label: requests, violations, first and
    last seen (the running view)."""
    rows = (
        CrawlerLogAgent.objects.for_label(label)
        .filter(log__status="done")
        .values("token", "purpose")
        .annotate(
            requests=Sum("requests"),
            violations=Sum("violations"),
            signal_fetches=Sum("signal_fetches"),
            violations_after_robots=Sum("violations_after_robots"),
            impostors=Sum("impostors"),
            logs=Count("log", distinct=True),
            first_seen=Min("first_seen"),
            last_seen=Max("last_seen"),
        )
        .order_by("-violations", "-requests", "token")
    )
    return list(rows)


# --- platform controls -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistRow:
    control: ControlDef
    account: str
    check: PlatformControlCheck | None
    due_on: date | None
    """When the next check is due; None when it was never checked (due now)."""
    overdue: bool

    @property
    def state(self) -> str:
        return self.check.state if self.check is not None else ControlState.UNKNOWN


def controls_checklist(*, label: Label, today: date | None = None) -> list[ChecklistRow]:
    """One row per control, and per account for the per-account controls checked so far
    (a per-account control never checked has one row without an account)."""
    today = today or timezone.localdate()
    days = recheck_days(label=label)
    latest = latest_checks(label=label)
    rows = []
    for control in label_control_defs(label=label):
        checks = sorted(
            ((account, check) for (key, account), check in latest.items() if key == control.key),
            key=lambda pair: pair[0].lower(),
        )
        if not checks:
            rows.append(ChecklistRow(control, "", None, None, False))
        for account, check in checks:
            due = due_on(check, days)
            rows.append(ChecklistRow(control, account, check, due, due < today))
    return rows
