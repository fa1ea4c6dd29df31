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
