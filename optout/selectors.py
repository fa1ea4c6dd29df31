"""Reads of the core app. Every function takes the label (or the user) it reads for."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from optout.models import Invitation, Job, Label, LedgerEntry, LedgerHead, Membership, User
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
