"""Keeping protection coverage current: events mark a label changed, one job recomputes.

* ``coverage_changed(label=)`` is what every app calls after a write that may change
  coverage (catalog edits, a master settled, a policy or terms approved, a capture done, a
  notice answered, a fingerprint done). It is one UPDATE: no job per event.
* ``coverage_refresh_due()`` (beat, every few seconds) queues one ``coverage.refresh`` job
  per changed label that has none waiting or running: the debounce.
* ``coverage_refresh(label=)`` (the job) runs every registered check set-based over all
  recordings, stores each recording's row (only the ones that changed), the label's
  summary and today's snapshot.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from optout.coverage import (
    CheckOutcome,
    CoverageCheck,
    coverage_catalog,
    coverage_checks,
    coverage_flags,
)
from optout.models import (
    CoverageSnapshot,
    CoverageState,
    Job,
    Label,
    RecordingCoverage,
    User,
)
from optout.services.jobs import job_create

logger = logging.getLogger(__name__)

REFRESH_JOB = "coverage.refresh"
NEXT_STEPS = 5
LOWEST_RELEASES = 10
_WRITE_BATCH = 2000


def coverage_state(*, label: Label) -> CoverageState:
    """The label's coverage row, made on first use."""
    state: CoverageState | None = CoverageState.objects.for_label(label).filter(label=label).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            created: CoverageState = CoverageState.objects.create(
                label=label, changed_at=timezone.now()
            )
            return created
    except IntegrityError:
        found: CoverageState = CoverageState.objects.for_label(label).get(label=label)
        return found


def _mark_changed(label: Label) -> None:
    updated = (
        CoverageState.objects.for_label(label).filter(label=label).update(changed_at=timezone.now())
    )
    if not updated:
        coverage_state(label=label)


def coverage_changed(*, label: Label) -> None:
    """Note that coverage of ``label`` may have changed; the next refresh picks it up.

    Written after the caller's transaction commits: the writer holds no lock on the
    label's coverage row (so it cannot deadlock with the ledger's head lock), and a
    rolled-back change marks nothing. One mark per label and transaction: an import or a
    bulk job writes many ledger entries, and each would otherwise queue its own UPDATE.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        current = set(connection.savepoint_ids)
        for sids, func, _robust in connection.run_on_commit:
            # Already queued at this level or an outer one: it runs when this one would.
            if getattr(func, "coverage_label", None) == label.pk and set(sids) <= current:
                return

    def mark() -> None:
        _mark_changed(label)

    mark.coverage_label = label.pk  # type: ignore[attr-defined]
    transaction.on_commit(mark, robust=True)


def coverage_refresh_request(*, label: Label, actor: User | None = None) -> Job | None:
    """Queue a refresh of ``label`` unless one is already waiting (None then)."""
    with transaction.atomic():
        state = coverage_state(label=label)
        # The row lock makes two requests at once queue one job, not two.
        CoverageState.objects.for_label(label).select_for_update().filter(pk=state.pk).first()
        waiting = (
            Job.objects.for_label(label)
            .filter(kind=REFRESH_JOB, status=Job.Status.PENDING)
            .exists()
        )
        if waiting:
            return None
        return job_create(
            label=label,
            kind=REFRESH_JOB,
            actor=actor,
            title="Protection coverage",
            params={},
        )


def coverage_refresh_due() -> int:
    """Queue a refresh for every label whose coverage changed since it was computed."""
    stale = (
        CoverageState.objects.unscoped()
        .filter(Q(computed_at__isnull=True) | Q(changed_at__gt=F("computed_at")))
        .select_related("label")
    )
    queued = 0
    for state in stale:
        label = state.label
        busy = (
            Job.objects.for_label(label)
            .filter(kind=REFRESH_JOB, status__in=(Job.Status.PENDING, Job.Status.RUNNING))
            .exists()
        )
        if not busy and coverage_refresh_request(label=label) is not None:
            queued += 1
    return queued


def coverage_age_all() -> int:
    """Once a day: every label counts as changed (time alone ages captured terms) and
    gets its snapshot for the chart even when nothing else happened."""
    return CoverageState.objects.unscoped().update(changed_at=timezone.now())


def _score(passed_weight: int, total_weight: int) -> float:
    return round(100.0 * passed_weight / total_weight, 1) if total_weight else 0.0


@dataclass
class _Run:
    checks: list[CoverageCheck]
    outcomes: dict[str, CheckOutcome]


def _run_checks(label: Label, recording_ids: Collection[int] | None) -> _Run:
    checks, outcomes = [], {}
    for check in coverage_checks():
        outcome = check.compute(label, recording_ids)
        if outcome is None:
            continue
        checks.append(check)
        outcomes[check.key] = outcome
    return _Run(checks=checks, outcomes=outcomes)


def _recording_checks(run: _Run, recording_id: int) -> tuple[dict[str, bool], float]:
    states: dict[str, bool] = {}
    got = total = 0
    for check in run.checks:
        outcome = run.outcomes[check.key]
        if not outcome.applies_to(recording_id):
            continue
        passed = recording_id in outcome.passed
        states[check.key] = passed
        total += check.weight
        got += check.weight if passed else 0
    return states, _score(got, total)


def _store_rows(label: Label, rows: dict[int, tuple[dict[str, bool], float]]) -> int:
    """Write the rows that changed (a refresh after one edit writes a handful, not all)."""
    existing = {
        rid: (checks, score)
        for rid, checks, score in RecordingCoverage.objects.for_label(label).values_list(
            "recording_id", "checks", "score"
        )
    }
    changed = [
        RecordingCoverage(label=label, recording_id=rid, checks=checks, score=score)
        for rid, (checks, score) in rows.items()
        if existing.get(rid) != (checks, score)
    ]
    for start in range(0, len(changed), _WRITE_BATCH):
        RecordingCoverage.objects.bulk_create(
            changed[start : start + _WRITE_BATCH],
            update_conflicts=True,
            unique_fields=["recording"],
            update_fields=["checks", "score", "updated_at"],
        )
    gone = set(existing) - set(rows)
    if gone:
        RecordingCoverage.objects.for_label(label).filter(recording_id__in=gone).delete()
    return len(changed)


def _next_steps(run: _Run, failing: dict[str, set[int]]) -> list[dict[str, Any]]:
    ranked = sorted(
        (
            (len(failing[c.key]), c.weight, c.key)
            for c in run.checks
            if failing[c.key] and c.fix_text
        ),
        key=lambda t: (-t[0], -t[1], t[2]),
    )
    return [{"check": key, "count": count} for count, _, key in ranked[:NEXT_STEPS]]


def coverage_refresh(
    *, label: Label, progress: Callable[[int, str | None], None] | None = None
) -> dict[str, Any]:
    """Recompute every recording's checklist and the label's summary."""
    report = progress or (lambda percent, step: None)
    started = timezone.now()
    catalog = coverage_catalog()
    ids = catalog.recording_ids(label) if catalog else []
    report(5, "Running the checks")
    run = _run_checks(label, None)
    report(60, "Scoring recordings")
    rows = {rid: _recording_checks(run, rid) for rid in ids}
    all_ids = set(ids)
    checks_summary: dict[str, dict[str, int]] = {}
    failing: dict[str, set[int]] = {}
    passing: dict[str, set[int]] = {}
    for check in run.checks:
        outcome = run.outcomes[check.key]
        applicable = all_ids if outcome.applicable is None else outcome.applicable & all_ids
        passed = outcome.passed & applicable
        failing[check.key] = applicable - passed
        passing[check.key] = passed
        checks_summary[check.key] = {"passed": len(passed), "applicable": len(applicable)}
    flags: dict[str, int | None] = {
        flag.key: flag.count(label, passing, failing, all_ids) for flag in coverage_flags()
    }
    scores = {rid: score for rid, (_, score) in rows.items()}
    catalog_score = round(sum(scores.values()) / len(scores), 1) if scores else None
    territories = []
    releases: list[dict[str, Any]] = []
    if catalog is not None:
        for key, name, sold in catalog.recording_regions(label):
            sold = sold & all_ids
            mean = round(sum(scores[r] for r in sold) / len(sold), 1) if sold else None
            territories.append({"key": key, "name": name, "recordings": len(sold), "score": mean})
        by_release: dict[int, list[Any]] = {}
        for release_id, code, title, recording_id in catalog.release_tracks(label):
            entry = by_release.setdefault(release_id, [code, title, []])
            if recording_id in scores:
                entry[2].append(scores[recording_id])
        releases = [
            {"code": code, "title": title, "tracks": len(s), "score": round(sum(s) / len(s), 1)}
            for code, title, s in by_release.values()
            if s
        ]
    releases.sort(key=lambda r: (r["score"], r["title"]))
    release_score = (
        round(sum(r["score"] for r in releases) / len(releases), 1) if releases else None
    )
    report(80, "Storing the results")
    summary = {
        "checks": checks_summary,
        "flags": flags,
        "next_steps": _next_steps(run, failing),
        "territories": territories,
        "releases": {
            "count": len(releases),
            "score": release_score,
            "lowest": releases[:LOWEST_RELEASES],
        },
        "fully_covered": sum(1 for s in scores.values() if s >= 100.0),
    }
    with transaction.atomic():
        written = _store_rows(label, rows)
        state = coverage_state(label=label)
        CoverageState.objects.for_label(label).filter(pk=state.pk).update(
            computed_at=started,
            score=catalog_score,
            recordings=len(ids),
            summary=summary,
        )
        CoverageSnapshot.objects.for_label(label).update_or_create(
            label=label,
            day=timezone.localdate(started),
            defaults={
                "score": catalog_score,
                "recordings": len(ids),
                "passed": {k: v["passed"] for k, v in checks_summary.items()},
            },
        )
    report(100, None)
    return {"recordings": len(ids), "written": written, "score": catalog_score}


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    weight: int
    passed: bool
    date: datetime.date | datetime.datetime | None
    detail: str
    fix_url: str


@dataclass(frozen=True)
class Checklist:
    items: list[ChecklistItem]
    score: float

    @property
    def passed(self) -> int:
        return sum(1 for i in self.items if i.passed)


def recording_checklist(*, label: Label, recording_id: int) -> Checklist:
    """One recording's checklist, computed now from the data (a few indexed queries)."""
    run = _run_checks(label, [recording_id])
    items = []
    got = total = 0
    for check in run.checks:
        outcome = run.outcomes[check.key]
        if not outcome.applies_to(recording_id):
            continue
        passed = recording_id in outcome.passed
        total += check.weight
        got += check.weight if passed else 0
        items.append(
            ChecklistItem(
                key=check.key,
                title=str(check.title),
                weight=check.weight,
                passed=passed,
                date=outcome.dates.get(recording_id),
                detail=outcome.details.get(recording_id, ""),
                fix_url=check.fix_url(label),
            )
        )
    return Checklist(items=items, score=_score(got, total))


MAX_FRESHNESS_DAYS = 3650


def coverage_freshness_set(*, label: Label, actor: User, days: int) -> CoverageState:
    """How recent a capture of the label's terms must be to count (1 to 3650 days)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not 1 <= days <= MAX_FRESHNESS_DAYS:
        raise ValidationError(
            {
                "freshness_days": _("Enter a number of days from 1 to %(max)s.")
                % {"max": MAX_FRESHNESS_DAYS}
            }
        )
    state = coverage_state(label=label)
    CoverageState.objects.for_label(label).filter(pk=state.pk).update(freshness_days=days)
    from optout.services.ledger import ledger_append

    ledger_append(
        label=label,
        actor=actor,
        action="coverage.freshness_set",
        subject=state,
        data={"freshness_days": days},
    )
    state.freshness_days = days
    return state
