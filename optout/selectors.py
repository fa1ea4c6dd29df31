"""Reads of the core app. Every function takes the label (or the user) it reads for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from optout.coverage import coverage_checks
from optout.models import (
    CoverageSnapshot,
    CoverageState,
    Invitation,
    Job,
    Label,
    LedgerEntry,
    LedgerHead,
    Membership,
    RecordingCoverage,
    User,
)
from optout.roles import Role


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, label__is_active=True)
        .select_related("label")
        .order_by("label__name")
    )


def label_members(*, label: Label) -> QuerySet[Membership]:
    return Membership.objects.filter(label=label).select_related("user").order_by("user__email")


def label_pending_invitations(*, label: Label) -> QuerySet[Invitation]:
    return Invitation.objects.filter(label=label, status=Invitation.Status.PENDING).select_related(
        "invited_by"
    )


def label_invitation(*, label: Label, code: str) -> Invitation | None:
    try:
        return Invitation.objects.filter(label=label, code=code).first()
    except ValueError:
        return None


def label_membership(*, label: Label, code: str) -> Membership | None:
    """A member of ``label`` by the member's user code."""
    try:
        return (
            Membership.objects.select_related("user", "label")
            .filter(label=label, user__code=code)
            .first()
        )
    except ValueError:
        return None


def label_jobs(*, label: Label) -> QuerySet[Job]:
    return Job.objects.for_label(label).select_related("created_by").order_by("-created_at")


def label_ledger(*, label: Label) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.for_label(label).order_by("-seq")


@dataclass(frozen=True)
class LabelSummary:
    members: int
    owners: int
    pending_invitations: int
    ledger_entries: int
    jobs_running: int
    jobs_failed: int


def label_summary(*, label: Label) -> LabelSummary:
    roles = dict(Membership.objects.filter(label=label).values_list("role").annotate(n=Count("id")))
    head = LedgerHead.objects.filter(label=label).first()
    jobs = dict(
        Job.objects.for_label(label)
        .filter(status__in=[Job.Status.RUNNING, Job.Status.PENDING, Job.Status.FAILED])
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return LabelSummary(
        members=sum(roles.values()),
        owners=roles.get(Role.OWNER, 0),
        pending_invitations=label_pending_invitations(label=label).count(),
        ledger_entries=head.seq if head else 0,
        jobs_running=jobs.get(Job.Status.RUNNING, 0) + jobs.get(Job.Status.PENDING, 0),
        jobs_failed=jobs.get(Job.Status.FAILED, 0),
    )


# --- protection coverage ----------------------------------------------------------------


@dataclass(frozen=True)
class CoverageCheckRow:
    key: str
    title: str
    weight: int
    passed: int
    applicable: int
    fix_url: str

    @property
    def failing(self) -> int:
        return self.applicable - self.passed

    @property
    def percent(self) -> float:
        return round(100.0 * self.passed / self.applicable, 1) if self.applicable else 0.0


@dataclass(frozen=True)
class CoverageFlagRow:
    key: str
    title: str
    description: str
    count: int | None
    fix_url: str


@dataclass(frozen=True)
class NextStep:
    key: str
    text: str
    count: int
    url: str


@dataclass(frozen=True)
class PathStep:
    key: str
    title: str
    description: str
    done: bool
    url: str


@dataclass(frozen=True)
class CoverageOverview:
    state: CoverageState | None
    score: float | None
    recordings: int
    fully_covered: int
    checks: list[CoverageCheckRow]
    flags: list[CoverageFlagRow]
    next_steps: list[NextStep]
    territories: list[dict[str, Any]]
    releases: dict[str, Any]
    snapshots: list[CoverageSnapshot]

    @property
    def computed(self) -> bool:
        return self.state is not None and self.state.computed_at is not None

    @property
    def stale(self) -> bool:
        return self.state is None or self.state.is_stale


def coverage_overview(*, label: Label, history_days: int = 90) -> CoverageOverview:
    """The stored summary, in the reader's language (two queries: no scan of the catalog)."""
    from optout.coverage import coverage_check, coverage_flags

    state = CoverageState.objects.for_label(label).filter(label=label).first()
    summary: dict[str, Any] = (state.summary if state else None) or {}
    checks = []
    for key, counts in (summary.get("checks") or {}).items():
        check = coverage_check(key)
        if check is None:
            continue
        checks.append(
            CoverageCheckRow(
                key=key,
                title=str(check.title),
                weight=check.weight,
                passed=int(counts.get("passed", 0)),
                applicable=int(counts.get("applicable", 0)),
                fix_url=check.fix_url(label),
            )
        )
    order = {c.key: i for i, c in enumerate(coverage_checks())}
    checks.sort(key=lambda c: order.get(c.key, 999))
    stored_flags = summary.get("flags") or {}
    flags = [
        CoverageFlagRow(
            key=flag.key,
            title=str(flag.title),
            description=str(flag.description),
            count=stored_flags.get(flag.key),
            fix_url=flag.fix_url(label),
        )
        for flag in coverage_flags()
        if flag.key in stored_flags
    ]
    steps = []
    for step in summary.get("next_steps") or []:
        check = coverage_check(step.get("check", ""))
        if check is None or not check.fix_text:
            continue
        count = int(step.get("count", 0))
        steps.append(
            NextStep(
                key=check.key,
                text=str(check.fix_text % {"count": count}),
                count=count,
                url=check.fix_url(label),
            )
        )
    since = timezone.localdate() - timedelta(days=history_days)
    snapshots = list(
        CoverageSnapshot.objects.for_label(label).filter(day__gte=since).order_by("day")
    )
    return CoverageOverview(
        state=state,
        score=state.score if state else None,
        recordings=state.recordings if state else 0,
        fully_covered=int(summary.get("fully_covered", 0)),
        checks=checks,
        flags=flags,
        next_steps=steps,
        territories=list(summary.get("territories") or []),
        releases=dict(summary.get("releases") or {}),
        snapshots=snapshots,
    )


def first_week_path(*, label: Label) -> list[PathStep]:
    """The seed's five steps and which of them the label has done (a few EXISTS queries)."""
    from optout.coverage import first_week_steps

    return [
        PathStep(
            key=step.key,
            title=str(step.title),
            description=str(step.description),
            done=step.done(label),
            url=step.url(label),
        )
        for step in first_week_steps()
    ]


def recording_coverage_row(*, label: Label, recording_id: int) -> RecordingCoverage | None:
    return RecordingCoverage.objects.for_label(label).filter(recording_id=recording_id).first()


def label_recording_coverage(*, label: Label) -> Any:
    """Every stored recording row, for exports (streamed in chunks by the caller)."""
    return (
        RecordingCoverage.objects.for_label(label)
        .order_by("recording_id")
        .values_list("recording_id", "checks", "score")
    )
