"""What the notices app registers with the core: its navigation entry, its matter-item
source, the release page's bulk-notify action and the receiver of delivery reports.

Called once from ``NoticesConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from anymail.signals import EventType, tracking  # type: ignore[import-untyped]
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from catalog.record_actions import RecordAction, register_record_action
from evidence.matter_items import (
    MatterItemSnapshot,
    MatterItemSource,
    NotAddable,
    register_matter_item_source,
)
from evidence.matter_page import (
    MatterSection,
    TimelineEntry,
    register_matter_section,
    register_matter_timeline_source,
)
from evidence.models import Matter
from notices.models import PartnerNotice
from notices.selectors import check_partners_notified, notify_step_done
from notices.services.delivery import notice_delivery_event
from optout.coverage import (
    CoverageCheck,
    FirstWeekStep,
    register_coverage_check,
    register_first_week_step,
)
from optout.lib.canonical import utc_iso
from optout.models import Label
from optout.navigation import NavItem, register_nav_item
from optout.roles import Capability

# Anymail's normalised events that change a notice; the others (opened, clicked…) do not.
_TRACKED = {
    EventType.DELIVERED: "delivered",
    EventType.BOUNCED: "bounced",
    EventType.REJECTED: "bounced",
    EventType.COMPLAINED: "complained",
}


def _tracking_received(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    kind = _TRACKED.get(event.event_type)
    if kind is None:
        return
    notice_delivery_event(
        message_id=event.message_id or "",
        event=kind,
        at=event.timestamp,
        recipient=event.recipient or "",
        description=event.description or event.mta_response or "",
        provider=esp_name,
    )


def _notice_snapshot(notice: PartnerNotice) -> MatterItemSnapshot:
    """The notice as a matter item: its PDF, with the facts a packet prints about it."""
    if notice.pdf is None:
        raise NotAddable(_("The notice's PDF is still being rendered."))
    return MatterItemSnapshot(
        blob=notice.pdf,
        title=str(_("Notice to %(partner)s") % {"partner": notice.partner.name}),
        filename=f"notice-{notice.code}.pdf",
        document_date=notice.sent_at.date() if notice.sent_at else None,
        recorded_at=notice.rendered_at or notice.created_at,
        provenance={
            "type": "partner_notice",
            "notice": str(notice.code),
            "partner": notice.partner.name,
            "status": notice.status,
            "language": notice.language,
            "deadline": notice.deadline.isoformat(),
            "policy_version": notice.policy_version_number or 0,
            "sent_at": utc_iso(notice.sent_at) if notice.sent_at else "",
            "answered_at": utc_iso(notice.answered_at) if notice.answered_at else "",
            "recordings": len(notice.covered.get("recordings", [])),
            "releases": len(notice.covered.get("releases", [])),
        },
    )


def _rendered_notices(label: Label) -> QuerySet[PartnerNotice]:
    return (
        PartnerNotice.objects.for_label(label)
        .filter(pdf__isnull=False)
        .select_related("pdf", "partner")
    )


def _notify_partners_url(slug: str, release: Any) -> str:
    return f"{reverse('notices:bulk', kwargs={'slug': slug})}?release={release.code}"


def _notices_url(label: Label) -> str:
    return reverse("notices:index", kwargs={"slug": label.slug})


def register() -> None:
    register_nav_item(NavItem("notices", gettext_lazy("Notices"), "notices:index", order=500))
    register_matter_item_source(
        MatterItemSource(
            key="notice",
            model="notices.PartnerNotice",
            verbose_name=gettext_lazy("partner notice"),
            snapshot=_notice_snapshot,
            queryset=_rendered_notices,
            order=70,
        )
    )
    register_record_action(
        RecordAction(
            key="notify_partners",
            entity="release",
            title=gettext_lazy("Notify its partners"),
            url=_notify_partners_url,
            capability=Capability.RIGHTS,
            order=500,
        )
    )
    tracking.connect(_tracking_received, dispatch_uid="notices.delivery")
    register_takedowns()
    register_coverage()


def _takedown_timeline(matter: Matter) -> list[TimelineEntry]:
    from notices.models import TakedownEvent

    events = (
        TakedownEvent.objects.for_label(matter.label)
        .filter(takedown__matter=matter)
        .select_related("takedown", "actor")
        .order_by("created_at", "id")
    )
    return [
        TimelineEntry(
            at=event.created_at,
            title=_("Takedown to %(recipient)s: %(step)s")
            % {"recipient": event.takedown.recipient_name, "step": event.get_status_display()},
            detail=_takedown_event_detail(event),
            actor=event.actor.email if event.actor else "",
            url=reverse("notices:takedown", args=[matter.label.slug, event.takedown.code]),
        )
        for event in events
    ]


def _takedown_event_detail(event: Any) -> str:
    """The date the step happened (when it was recorded another day), its document and note."""
    parts = []
    if event.happened_on != timezone.localdate(event.created_at):
        parts.append(_("Date: %(date)s") % {"date": event.happened_on.isoformat()})
    if event.document_name:
        parts.append(_("Document: %(name)s") % {"name": event.document_name})
    if event.note:
        parts.append(event.note[:200])
    return " · ".join(parts)


def register_takedowns() -> None:
    from notices.views.takedowns import matter_section

    register_matter_section(
        MatterSection("takedowns", "notices/takedowns/_matter_section.html", matter_section, 200)
    )
    register_matter_timeline_source("takedowns", _takedown_timeline)


def register_coverage() -> None:
    register_coverage_check(
        CoverageCheck(
            "notices",
            gettext_lazy("Partners carrying it notified and answered"),
            2,
            _notices_url,
            check_partners_notified,
            ngettext_lazy(
                "%(count)s recording is carried by partners that were not notified or have not "
                "answered: notify them",
                "%(count)s recordings are carried by partners that were not notified or have not "
                "answered: notify them",
                "count",
            ),
            order=60,
        )
    )  # fmt: skip
    register_first_week_step(
        FirstWeekStep(
            "notify",
            30,
            gettext_lazy("Notify your partners"),
            gettext_lazy(
                "Send every partner that carries your releases a notice of your reservation "
                "and ask them to answer."
            ),
            notify_step_done,
            _notices_url,
        )
    )  # fmt: skip
