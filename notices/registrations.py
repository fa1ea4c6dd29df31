"""What the notices app registers with the core: its navigation entry, its matter-item
source, the release page's bulk-notify action and the receiver of delivery reports.

Called once from ``NoticesConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from anymail.signals import EventType, tracking  # type: ignore[import-untyped]
from django.utils.translation import gettext_lazy as _

from notices.services.delivery import notice_delivery_event
from optout.navigation import NavItem, register_nav_item

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


def register() -> None:
    register_nav_item(NavItem("notices", _("Notices"), "notices:index", order=500))
    tracking.connect(_tracking_received, dispatch_uid="notices.delivery")
