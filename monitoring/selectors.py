"""Reads of the monitoring app: the label's fingerprint index, index status, suspects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import psycopg
from django.db import connection
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from catalog.models import Master, Recording, Release
from monitoring.index import ReferenceIndex
from monitoring.models import (
    CrawlerLog,
    CrawlerLogAgent,
    FanReport,
    FanReportGroup,
    Fingerprint,
    FingerprintIndexState,
    PlatformControlCheck,
    Suspect,
    Watch,
    WatchCheck,
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

# Per worker process: label id -> (the index version it was built at, the index).
_INDEXES: dict[int, tuple[int, ReferenceIndex]] = {}


def index_version(*, label: Label) -> int:
    """The label's index version in PostgreSQL (0 before anything was fingerprinted)."""
    found = (
        FingerprintIndexState.objects.for_label(label)
        .filter(label=label)
        .values_list("version", flat=True)
        .first()
    )
    return int(found or 0)


def index_rows(*, label: Label) -> Any:
    """What the index must hold: per recording, the newest ready master version with a
    ready fingerprint (a master flagged or failed since is left out), as (pk, values)."""
    usable = Fingerprint.objects.for_label(label).filter(
        status=Fingerprint.Status.READY, master__status=Master.Status.READY
    )
    # A correlated subquery rather than DISTINCT ON: the embedded default (SQLite) runs it too.
    newest = (
        usable.filter(recording_id=OuterRef("recording_id"))
        .order_by("-master__version", "-pk")
        .values("pk")[:1]
    )
    return usable.filter(pk=Subquery(newest)).order_by("recording_id")


def index_fingerprint_ids(*, label: Label) -> tuple[int, ...]:
    return tuple(sorted(index_rows(label=label).values_list("pk", flat=True)))


def index_build(*, label: Label) -> ReferenceIndex:
    """Read the label's fingerprints from PostgreSQL into a fresh in-memory index.

    The rows come in PostgreSQL's binary format (bytea as raw bytes, not hex text: half
    the bytes on the wire and no decoding) and go straight into numpy."""
    rows = index_rows(label=label).values_list("pk", "values")
    keys: list[int] = []
    parts: list[Any] = []
    if connection.vendor != "postgresql":  # the embedded default: plain rows
        for pk, values in rows.iterator(chunk_size=5000):
            keys.append(pk)
            parts.append(np.frombuffer(bytes(values), dtype="<u4"))
        return _index_from(keys, parts)
    sql, params = rows.query.sql_with_params()
    connection.ensure_connection()
    # A server-binding psycopg cursor of Django's connection: Django's own cursors bind on
    # the client side, which cannot ask for binary results.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        while rows := cursor.fetchmany(5000):
            for pk, values in rows:
                keys.append(pk)
                parts.append(np.frombuffer(values, dtype="<u4"))
    return _index_from(keys, parts)


def _index_from(keys: list[int], parts: list[Any]) -> ReferenceIndex:
    lengths = np.array([len(part) for part in parts], dtype=np.int64)
    values = np.concatenate(parts).astype(np.uint32) if parts else np.zeros(0, np.uint32)
    del parts[:]
    return ReferenceIndex.from_arrays(np.array(keys, dtype=np.int64), values, lengths)


def label_index(*, label: Label) -> ReferenceIndex:
    """The label's index in this process, built on first use and rebuilt when the version
    in PostgreSQL moved on (one single-row query decides): every worker, on every
    machine, answers from the same rows."""
    version = index_version(label=label)
    cached = _INDEXES.get(label.pk)
    if cached is not None and cached[0] == version:
        return cached[1]
    index = index_build(label=label)
    _INDEXES[label.pk] = (version, index)
    return index


def index_loaded(*, label: Label) -> tuple[int, ReferenceIndex] | None:
    """The version and index this process holds for ``label``, if any (for status)."""
    return _INDEXES.get(label.pk)


MAX_FAILURES_SHOWN = 50
"""The failed masters the index status lists (newest first); ``failed`` counts them all."""


@dataclass(frozen=True)
class IndexStatus:
    masters_ready: int
    fingerprinted: int
    pending: int
    failed: int
    indexed_recordings: int
    version: int
    failures: tuple[Fingerprint, ...] = ()
    """Failed fingerprints of ready masters, with the master and recording loaded; each
    ``problem`` says why the audio could not be fingerprinted."""

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
            "version": self.version,
            "failures": [
                {
                    "master": str(failed.master.code),
                    "recording": str(failed.recording.code),
                    "title": failed.recording.title,
                    "isrc": failed.recording.isrc,
                    "version": failed.master.version,
                    "file": failed.master.original_name,
                    "reason": failed.problem,
                }
                for failed in self.failures
            ],
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
    failures = (
        tuple(
            Fingerprint.objects.for_label(label)
            .filter(master__status=ready, status=Fingerprint.Status.FAILED)
            .select_related("master", "recording")
            .order_by("-master__created_at", "-pk")[:MAX_FAILURES_SHOWN]
        )
        if counts["failed"]
        else ()
    )
    return IndexStatus(
        masters_ready=Master.objects.for_label(label).filter(status=ready).count(),
        fingerprinted=counts["fingerprinted"],
        pending=counts["pending"],
        failed=counts["failed"],
        indexed_recordings=index_rows(label=label).count(),
        version=index_version(label=label),
        failures=failures,
    )


def label_suspects(*, label: Label) -> Any:
    return (
        Suspect.objects.for_label(label)
        .select_related("job", "blob", "created_by", "matter")
        .prefetch_related(
            "matches__recording", "matches__master", "leads__recording", "leads__master"
        )
    )


# --- fan reports and watched pages ----------------------------------------------------------


def public_catalog_names(*, label: Label, query: str, limit: int = 10) -> list[str]:
    """Names the public form may suggest: titles and artists of the label's released
    releases (a release date today or earlier) and of the recordings on them. Nothing
    unreleased, no identifier, no note."""
    text = " ".join((query or "").split())[:100]
    if len(text) < 2:
        return []
    released = Release.objects.for_label(label).filter(
        release_date__isnull=False, release_date__lte=timezone.localdate()
    )
    recordings = Recording.objects.for_label(label).filter(
        release_tracks__release__in=released.values("pk")
    )
    names: set[str] = set()
    for rows in (released, recordings):
        for field in ("title", "display_artist"):
            found = (
                rows.filter(**{f"{field}__icontains": text})
                .order_by(field)
                .values_list(field, flat=True)
                .distinct()[: limit * 2]
            )
            names.update(name for name in found if name)
    return sorted(names, key=lambda name: (not name.lower().startswith(text.lower()), name))[:limit]


def report_groups(*, label: Label, status: str | None = None) -> Any:
    """The triage queue: one row per reported page, the most recently reported first."""
    groups = FanReportGroup.objects.for_label(label).select_related("capture", "matter", "suspect")
    if status:
        groups = groups.filter(status=status)
    return groups.order_by("-last_reported_at", "-id")


def group_reports(*, label: Label, group: Any) -> Any:
    return FanReport.objects.for_label(label).filter(group=group).order_by("-created_at", "-id")


def report_queue_counts(*, label: Label) -> dict[str, int]:
    rows = (
        FanReportGroup.objects.for_label(label)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return dict(rows)


def label_watches(*, label: Label) -> Any:
    return (
        Watch.objects.for_label(label)
        .select_related("partner", "schedule")
        .annotate(
            changes=Count("checks", filter=Q(checks__outcome="changed")),
        )
        .order_by("-active", "name", "id")
    )


def watch_checks(*, label: Label, watch: Any) -> Any:
    return (
        WatchCheck.objects.for_label(label)
        .filter(watch=watch)
        .select_related("capture", "previous")
        .order_by("-created_at", "-id")
    )


# --- protection coverage ----------------------------------------------------------------


def check_fingerprinted(label: Label, ids: Any) -> Any:
    """The current master's fingerprint is in the index, so copies can be found."""
    from django.utils.translation import gettext as _

    from optout.coverage import CheckOutcome

    rows = (
        Fingerprint.objects.for_label(label)
        .order_by()
        .filter(status=Fingerprint.Status.READY, master__is_current=True)
    )
    if ids is not None:
        rows = rows.filter(recording_id__in=list(ids))
    outcome = CheckOutcome(passed=set())
    for recording_id, when in rows.values_list("recording_id", "fingerprinted_at"):
        outcome.passed.add(recording_id)
        outcome.dates[recording_id] = when
    if ids is not None:
        for rid in ids:
            outcome.details[rid] = (
                _("The current master is fingerprinted.")
                if rid in outcome.passed
                else _("The current master is not fingerprinted yet.")
            )
    return outcome


def monitor_step_done(label: Label) -> bool:
    return Fingerprint.objects.for_label(label).filter(status=Fingerprint.Status.READY).exists()


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
