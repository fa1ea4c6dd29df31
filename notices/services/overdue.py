"""The one alert an overdue notice raises, and its end once the notice is answered or
closed: a notice no longer waiting on its partner is no longer overdue."""

from __future__ import annotations

from evidence.models import Alert
from evidence.services.alerts import alert_resolve
from notices.models import PartnerNotice
from optout.models import User


def overdue_alert_key(notice: PartnerNotice) -> str:
    """The key of the alert raised when ``notice`` becomes overdue (one per notice)."""
    return f"notice_overdue:{notice.code}"


def overdue_alert_resolve(*, notice: PartnerNotice, actor: User | None) -> None:
    overdue = (
        Alert.objects.for_label(notice.label)
        .filter(key=overdue_alert_key(notice), resolved_at__isnull=True)
        .first()
    )
    if overdue is not None:
        alert_resolve(alert=overdue, actor=actor)
