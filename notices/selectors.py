"""Reads of the notices app for pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from evidence.models import Matter
from notices.models import PartnerNotice, Takedown, TakedownEvent, TakedownPacket
from optout.models import Label, LabelScopedQuerySet


def label_notices(*, label: Label, status: str = "") -> QuerySet[PartnerNotice]:
    notices = PartnerNotice.objects.for_label(label).select_related("partner")
    if status in PartnerNotice.Status.values:
        notices = notices.filter(status=status)
    return notices.order_by("-created_at", "code")


def notice_timeline(notice: PartnerNotice) -> list[dict[str, Any]]:
    """The steps the notice went through, oldest first."""
    steps = [
        (PartnerNotice.Status.DRAFT, notice.created_at),
        ("rendered", notice.rendered_at),
        (PartnerNotice.Status.SENT, notice.sent_at),
        (PartnerNotice.Status.DELIVERED, notice.delivered_at),
        (PartnerNotice.Status.BOUNCED, notice.bounced_at),
        (PartnerNotice.Status.COMPLAINED, notice.complained_at),
        (PartnerNotice.Status.OVERDUE, notice.overdue_at),
        (PartnerNotice.Status.ANSWERED, notice.answered_at),
        (PartnerNotice.Status.CLOSED, notice.closed_at),
    ]
    return [
        {
            "step": step,
            "name": PartnerNotice.Status(step).label if step != "rendered" else _("PDF rendered"),
            "at": at,
        }
        for step, at in steps
        if at is not None
    ]


def matter_takedowns(*, matter: Matter) -> LabelScopedQuerySet[Takedown]:
    takedowns: LabelScopedQuerySet[Takedown] = (
        Takedown.objects.for_label(matter.label)
        .filter(matter=matter)
        .select_related("matter", "job", "pdf", "approved_by", "label")
        .order_by("-created_at", "code")
    )
    return takedowns


def takedown_events(*, takedown: Takedown) -> QuerySet[TakedownEvent]:
    return (
        TakedownEvent.objects.for_label(takedown.label)
        .filter(takedown=takedown)
        .select_related("actor", "document", "evidence_item")
        .order_by("created_at", "id")
    )


def takedown_packets(*, takedown: Takedown) -> LabelScopedQuerySet[TakedownPacket]:
    packets: LabelScopedQuerySet[TakedownPacket] = (
        TakedownPacket.objects.for_label(takedown.label)
        .filter(takedown=takedown)
        .select_related("blob", "job", "packet", "takedown")
        .order_by("-created_at", "-id")
    )
    return packets


def takedown_latest_packet(*, takedown: Takedown) -> TakedownPacket | None:
    packet: TakedownPacket | None = (
        TakedownPacket.objects.for_label(takedown.label)
        .filter(takedown=takedown)
        .select_related("blob", "job", "packet", "takedown")
        .order_by("-created_at", "-id")
        .first()
    )
    return packet


# --- protection coverage ----------------------------------------------------------------


def check_partners_notified(label: Label, ids: Any) -> Any:
    """Every partner carrying a release of the recording was sent a notice covering it and
    answered. Recordings that no partner carries are left out."""
    from catalog.models import Partner, ReleaseTrack
    from optout.coverage import CheckOutcome

    carries = list(
        Partner.releases.through.objects.filter(partner__label=label).values_list(
            "partner_id", "release_id"
        )
    )
    if not carries:
        return CheckOutcome(passed=set(), applicable=set())
    tracks = (
        ReleaseTrack.objects.for_label(label)
        .order_by()
        .filter(release_id__in={release for _, release in carries})
    )
    if ids is not None:
        tracks = tracks.filter(recording_id__in=list(ids))
    on_release: dict[int, set[int]] = {}
    for release_id, recording_id in tracks.values_list("release_id", "recording_id"):
        on_release.setdefault(release_id, set()).add(recording_id)
    answered = PartnerNotice.objects.for_label(label).order_by().filter(answered_at__isnull=False)
    whole: set[int] = set()
    releases: dict[int, set[int]] = {}
    recordings: dict[int, set[int]] = {}
    last: dict[int, Any] = {}
    codes = {}
    for pk, partner_id, scope, answered_at in answered.values_list(
        "pk", "partner_id", "scope", "answered_at"
    ):
        codes[pk] = partner_id
        if scope == PartnerNotice.Scope.CATALOG:
            whole.add(partner_id)
        if answered_at and (partner_id not in last or answered_at > last[partner_id]):
            last[partner_id] = answered_at
    for pk, release_id in PartnerNotice.releases.through.objects.filter(
        partnernotice_id__in=list(codes)
    ).values_list("partnernotice_id", "release_id"):
        releases.setdefault(codes[pk], set()).add(release_id)
    for pk, recording_id in PartnerNotice.recordings.through.objects.filter(
        partnernotice_id__in=list(codes)
    ).values_list("partnernotice_id", "recording_id"):
        recordings.setdefault(codes[pk], set()).add(recording_id)
    applicable: set[int] = set()
    failed: set[int] = set()
    dates: dict[int, Any] = {}
    for partner_id, release_id in carries:
        for rid in on_release.get(release_id, ()):
            applicable.add(rid)
            covered = (
                partner_id in whole
                or release_id in releases.get(partner_id, ())
                or rid in recordings.get(partner_id, ())
            )
            if not covered:
                failed.add(rid)
            elif partner_id in last and (rid not in dates or last[partner_id] > dates[rid]):
                dates[rid] = last[partner_id]
    outcome = CheckOutcome(passed=applicable - failed, applicable=applicable, dates=dates)
    if ids is not None:
        for rid in applicable:
            outcome.details[rid] = (
                _("Every partner carrying it was notified and answered.")
                if rid in outcome.passed
                else _("A partner carrying it was not notified or has not answered.")
            )
    return outcome


def notify_step_done(label: Label) -> bool:
    return PartnerNotice.objects.for_label(label).filter(sent_at__isnull=False).exists()
