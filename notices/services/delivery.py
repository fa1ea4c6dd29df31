"""What the mail service reports about a sent notice: delivered, bounced, marked as spam.

The reports arrive through django-anymail's ``tracking`` signal (``notices.registrations``)
and name the letter by the Message-ID kept when it was sent. They come from outside any
label's request, so the notice is found across labels by that id (and only by it).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from notices.models import PartnerNotice
from optout.services.ledger import ledger_append

DELIVERED = "delivered"
BOUNCED = "bounced"
COMPLAINED = "complained"
# What each report may change: a later answer, deadline or closing is never undone by it.
_MOVES: dict[str, tuple[str, tuple[str, ...]]] = {
    DELIVERED: (
        PartnerNotice.Status.DELIVERED,
        (PartnerNotice.Status.SENT, PartnerNotice.Status.BOUNCED),
    ),
    BOUNCED: (PartnerNotice.Status.BOUNCED, (PartnerNotice.Status.SENT,)),
    COMPLAINED: (
        PartnerNotice.Status.COMPLAINED,
        (PartnerNotice.Status.SENT, PartnerNotice.Status.DELIVERED),
    ),
}
_STAMP = {DELIVERED: "delivered_at", BOUNCED: "bounced_at", COMPLAINED: "complained_at"}


def notice_delivery_event(
    *,
    message_id: str,
    event: str,
    at: datetime | None = None,
    recipient: str = "",
    description: str = "",
    provider: str = "",
) -> PartnerNotice | None:
    """Apply one report to the notice sent as ``message_id``; None when no notice matches
    (a reminder, an alert mail, another deployment's message) or the event is not tracked."""
    if event not in _MOVES or not message_id:
        return None
    with transaction.atomic():
        notice: PartnerNotice | None = (
            PartnerNotice.objects.unscoped()
            .select_for_update(of=("self",))
            .select_related("label")
            .filter(message_id=message_id)
            .first()
        )
        if notice is None or getattr(notice, _STAMP[event]) is not None:
            return notice  # unknown, or the service repeated a report already applied
        target, movable_from = _MOVES[event]
        previous = notice.status
        setattr(notice, _STAMP[event], at or timezone.now())
        fields = [_STAMP[event]]
        if notice.status in movable_from:
            notice.status = target
            fields.append("status")
        if description and event != DELIVERED:
            notice.delivery_note = description[:2000]
            fields.append("delivery_note")
        notice.save(update_fields=fields)
        ledger_append(
            label=notice.label,
            actor=None,
            action=f"notice.{event}",
            subject=notice,
            data={
                "recipient": recipient,
                "provider": provider,
                "description": description[:500],
                "previous_status": previous,
                "status": notice.status,
            },
        )
    return notice
