"""Reads of the monitoring app: the label's fingerprint index, index status, suspects."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

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
    FingerprintIndexChange,
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

logger = logging.getLogger(__name__)

CHANGES_MAX_SHARE = 20
"""A label whose index changed for more than one recording in this many (and more than
CHANGES_MAX_FLOOR) is rebuilt rather than changed: reading and merging that much costs
about as much as a rebuild."""
CHANGES_MAX_FLOOR = 64


@dataclass(frozen=True)
class LoadedIndex:
    """A label's index as this process holds it, at ``version``."""

    version: int
    index: ReferenceIndex
    recordings: Any
    """The recording of each reference (int64, in the order of ``index.keys``)."""


@dataclass(frozen=True)
class IndexLoad:
    """What bringing a label's index up to date did in this process."""

    label_id: int
    how: Literal["current", "changes", "full", "skipped"]
    """``current`` (nothing to do), ``changes`` (the logged changes applied), ``full``
    (rebuilt from PostgreSQL) or ``skipped`` (left for its first search)."""
    version: int
    seconds: float
    references: int
    frames: int
    changed: int = 0
    """Recordings whose reference was read again (``changes``)."""
    reason: str = ""
    """Why a label was rebuilt or skipped."""


# Per worker process: label id -> the index it holds. A lock per label, so that a search
# arriving while the worker's start loads the label waits for that load instead of
# building a second copy.
_INDEXES: dict[int, LoadedIndex] = {}
_LOCKS: dict[int, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _label_lock(label_id: int) -> threading.Lock:
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(label_id, threading.Lock())


def _index_state(*, label: Label) -> tuple[int, int]:
    """(version, log_from) of the label's index in PostgreSQL; (0, 0) before anything was
    fingerprinted."""
    found = (
        FingerprintIndexState.objects.for_label(label)
        .filter(label=label)
        .values_list("version", "log_from")
        .first()
    )
    return (int(found[0]), int(found[1])) if found else (0, 0)


def index_version(*, label: Label) -> int:
    """The label's index version in PostgreSQL (0 before anything was fingerprinted)."""
    return _index_state(label=label)[0]


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


def _read(rows: Any) -> tuple[list[int], list[int], list[Any]]:
    """(pk, recording, values) of the fingerprint rows ``rows``, in their order.

    The rows come in PostgreSQL's binary format (bytea as raw bytes, not hex text: half
    the bytes on the wire and no decoding) and go straight into numpy."""
    rows = rows.values_list("pk", "recording_id", "values")
    keys: list[int] = []
    recordings: list[int] = []
    parts: list[Any] = []
    if connection.vendor != "postgresql":  # the embedded default: plain rows
        for pk, recording, values in rows.iterator(chunk_size=5000):
            keys.append(pk)
            recordings.append(recording)
            parts.append(np.frombuffer(bytes(values), dtype="<u4"))
        return keys, recordings, parts
    sql, params = rows.query.sql_with_params()
    connection.ensure_connection()
    # A server-binding psycopg cursor of Django's connection: Django's own cursors bind on
    # the client side, which cannot ask for binary results.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        while found := cursor.fetchmany(5000):
            for pk, recording, values in found:
                keys.append(pk)
                recordings.append(recording)
                parts.append(np.frombuffer(values, dtype="<u4"))
    return keys, recordings, parts


def _index_read(*, label: Label, version: int) -> LoadedIndex:
    """Every reference of the label from PostgreSQL, in key order, into a fresh index."""
    keys, recordings, parts = _read(index_rows(label=label).order_by("pk"))
    lengths = np.array([len(part) for part in parts], dtype=np.int64)
    values = np.concatenate(parts).astype(np.uint32) if parts else np.zeros(0, np.uint32)
    del parts[:]
    index = ReferenceIndex.from_arrays(np.array(keys, dtype=np.int64), values, lengths)
    return LoadedIndex(version, index, np.array(recordings, dtype=np.int64))


def index_build(*, label: Label) -> ReferenceIndex:
    """Read the label's fingerprints from PostgreSQL into a fresh in-memory index."""
    return _index_read(label=label, version=0).index


def _logged_changes(*, label: Label, since: int, version: int) -> set[int] | None:
    """The recordings whose reference may have changed after version ``since`` up to
    ``version``; None when the log cannot tell (a version without lines, or a line that
    names no recording)."""
    rows = (
        FingerprintIndexChange.objects.for_label(label)
        .filter(version__gt=since, version__lte=version)
        .values_list("version", "recording_id")
    )
    versions: set[int] = set()
    recordings: set[int] = set()
    for number, recording in rows:
        if recording is None:
            return None
        versions.add(number)
        recordings.add(recording)
    return recordings if len(versions) == version - since else None


def _index_changed(
    *, label: Label, held: LoadedIndex, version: int, recordings: set[int]
) -> LoadedIndex:
    """``held`` with the references of ``recordings`` read again from PostgreSQL: the ones
    no longer current removed, the new ones added (the index equals a rebuild's)."""
    keys, key_recordings, parts = _read(
        index_rows(label=label).filter(recording_id__in=sorted(recordings)).order_by("pk")
    )
    touched = np.isin(held.recordings, np.fromiter(recordings, dtype=np.int64))
    before = set(held.index.keys[touched].tolist())
    remove = before - set(keys)
    added = [number for number, key in enumerate(keys) if key not in before]
    index = held.index.updated(remove=remove, add=[(keys[n], parts[n]) for n in added])
    # The recording of each reference, in the new index's (key) order.
    kept = ~np.isin(held.index.keys, np.fromiter(remove, dtype=np.int64))
    every_key = np.concatenate(
        (held.index.keys[kept], np.array([keys[n] for n in added], dtype=np.int64))
    )
    every_recording = np.concatenate(
        (held.recordings[kept], np.array([key_recordings[n] for n in added], dtype=np.int64))
    )
    return LoadedIndex(version, index, every_recording[np.argsort(every_key, kind="stable")])


def index_refresh(*, label: Label) -> IndexLoad:
    """Bring this process's index of ``label`` up to the version in PostgreSQL (one
    single-row query when it is current): apply the changes logged since the version it
    holds, or rebuild it from PostgreSQL when it holds none, when the log no longer
    reaches back that far or has a gap, or when so many recordings changed that a
    rebuild costs no more. Every worker, on every machine, ends with the same index."""
    with _label_lock(label.pk):
        started = time.perf_counter()
        version, log_from = _index_state(label=label)
        held = _INDEXES.get(label.pk)
        how: Literal["current", "changes", "full"] = "full"
        reason, changed = "", 0
        if held is None:
            reason = "not loaded"
        elif held.version == version:
            how = "current"
        elif held.version < log_from or held.version > version:
            reason = f"version {held.version} is outside the change log ({log_from} to {version})"
        else:
            recordings = _logged_changes(label=label, since=held.version, version=version)
            limit = max(CHANGES_MAX_FLOOR, len(held.index) // CHANGES_MAX_SHARE)
            if recordings is None:
                reason = f"the change log cannot tell what changed after version {held.version}"
            elif len(recordings) > limit:
                reason = f"{len(recordings)} recordings changed"
            else:
                how, changed = "changes", len(recordings)
                _INDEXES[label.pk] = _index_changed(
                    label=label, held=held, version=version, recordings=recordings
                )
        if how == "full":
            # The old copy goes first (this name held it too), so that a rebuild never holds
            # two; a search running on it keeps its own reference until it ends.
            _INDEXES.pop(label.pk, None)
            held = None
            _INDEXES[label.pk] = _index_read(label=label, version=version)
        loaded = _INDEXES[label.pk]
        load = IndexLoad(
            label_id=label.pk,
            how=how,
            version=loaded.version,
            seconds=round(time.perf_counter() - started, 3),
            references=len(loaded.index),
            frames=loaded.index.frames,
            changed=changed,
            reason=reason,
        )
    if how != "current":
        logger.info(
            "Fingerprint index of label %s at version %s (%s): %s recordings, %s "
            "sub-fingerprints, %.3f s%s",
            label.slug, load.version, how, load.references, load.frames, load.seconds,
            f"; {reason}" if reason else "",
        )  # fmt: skip
    return load


def label_index(*, label: Label) -> ReferenceIndex:
    """The label's index in this process, up to date with PostgreSQL (``index_refresh``)."""
    index_refresh(label=label)
    return _INDEXES[label.pk].index


def index_loaded(*, label: Label) -> tuple[int, ReferenceIndex] | None:
    """The version and index this process holds for ``label``, if any (for status)."""
    held = _INDEXES.get(label.pk)
    return (held.version, held.index) if held is not None else None


def index_warm(*, budget_bytes: int) -> list[IndexLoad]:
    """Load, in this process, the index of every label that has fingerprints, so that its
    first search does not wait for a rebuild (a Celery worker's start calls this). Labels
    are loaded in order until the next one's sub-fingerprints, at 8 bytes each (the
    index's size), would take the total over ``budget_bytes``; a label left out loads at
    its first search, as before. Logs each label and the whole."""
    started = time.perf_counter()
    sizes = (
        Fingerprint.objects.unscoped()
        .filter(status=Fingerprint.Status.READY, master__status=Master.Status.READY)
        .values("label_id")
        .annotate(frames=Sum("frames"))
        .order_by("label_id")
    )
    loads: list[IndexLoad] = []
    used = 0
    for row in sizes:
        label = Label.objects.get(pk=row["label_id"])
        need = 8 * int(row["frames"] or 0)
        if used + need > budget_bytes:
            loads.append(IndexLoad(label.pk, "skipped", 0, 0.0, 0, 0, reason="over the budget"))
            logger.info(
                "Fingerprint index of label %s left for its first search: %s bytes over the "
                "warm-start budget of %s", label.slug, used + need - budget_bytes, budget_bytes,
            )  # fmt: skip
            continue
        used += need
        loads.append(index_refresh(label=label))
    logger.info(
        "Fingerprint indexes loaded at worker start: %s of %s labels, %s sub-fingerprints, "
        "%.1f s",
        sum(load.how != "skipped" for load in loads), len(loads),
        sum(load.frames for load in loads), time.perf_counter() - started,
    )  # fmt: skip
    return loads


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
