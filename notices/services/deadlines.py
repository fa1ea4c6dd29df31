"""What the passing of time does to notices: one reminder before the deadline, then overdue."""

from __future__ import annotations

import logging
from datetime import timedelta

from anymail.exceptions import AnymailError  # type: ignore[import-untyped]
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.models import Alert
from evidence.services.alerts import alert_raise
from evidence.services.items import evidence_item_from_bytes
from notices.models import PartnerNotice
from notices.services.notices import notice_message
from notices.services.overdue import overdue_alert_key
from optout.services.ledger import ledger_append

log = logging.getLogger(__name__)
WAITING = (PartnerNotice.Status.SENT, PartnerNotice.Status.DELIVERED)
# Undelivered letters become overdue too: the label must follow them up another way.
UNDELIVERED = (PartnerNotice.Status.BOUNCED, PartnerNotice.Status.COMPLAINED)


def notices_mark_overdue() -> int:
    """Notices past their deadline without an answer become overdue (one ledger entry each)."""
    today = timezone.localdate()
    count = 0
    due = (
        PartnerNotice.objects.unscoped()
        .filter(status__in=(*WAITING, *UNDELIVERED), deadline__lt=today)
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            notice = (
                PartnerNotice.objects.unscoped()
                .select_for_update()
                .select_related("label", "partner")
                .filter(pk=pk, answered_at__isnull=True, closed_at__isnull=True)
                .first()
            )
            if notice is None or notice.status == PartnerNotice.Status.OVERDUE:
                continue
            notice.status = PartnerNotice.Status.OVERDUE
            notice.overdue_at = timezone.now()
            notice.save(update_fields=["status", "overdue_at"])
            ledger_append(
                label=notice.label,
                actor=None,
                action="notice.overdue",
                subject=notice,
                data={"deadline": notice.deadline.isoformat()},
            )
            alert_raise(
                label=notice.label,
                kind=Alert.Kind.NOTICE_OVERDUE,
                key=overdue_alert_key(notice),
                message=_("%(partner)s has not answered the notice due %(deadline)s.")
                % {"partner": notice.partner.name, "deadline": notice.deadline.isoformat()},
                subject=notice,
            )
            count += 1
    return count


def notices_send_reminders() -> int:
    """One reminder per notice, ``OPTOUT_NOTICE_REMINDER_DAYS`` before its deadline.

    The reminder is claimed (``reminded_at``) before the mail goes out: a crash between the
    two loses one reminder rather than sending it twice.
    """
    today = timezone.localdate()
    window_end = today + timedelta(days=settings.OPTOUT_NOTICE_REMINDER_DAYS)
    due = (
        PartnerNotice.objects.unscoped()
        .filter(
            status__in=WAITING,
            reminded_at__isnull=True,
            deadline__gte=today,
            deadline__lte=window_end,
        )
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            notice = (
                PartnerNotice.objects.unscoped()
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("label", "partner", "pdf")
                .filter(pk=pk, reminded_at__isnull=True, status__in=WAITING)
                .first()
            )
            if notice is None:
                continue
            recipients = sorted({c.email for c in notice.partner.contacts.all()})
            notice.reminded_at = timezone.now()
            notice.save(update_fields=["reminded_at"])
            if not recipients or notice.pdf is None:
                continue
            message = notice_message(notice, recipients, reminder=True)
            ledger_append(
                label=notice.label,
                actor=None,
                action="notice.remind",
                subject=notice,
                data={"to": recipients},
            )
        raw = message.message().as_bytes()
        try:
            get_connection(fail_silently=False).send_messages([message])
        except (OSError, AnymailError):
            log.warning("The reminder of notice %s was not taken by the mail server.", notice.code)
            continue
        _keep_reminder(notice, raw)
        sent += 1
    return sent


def _keep_reminder(notice: PartnerNotice, raw: bytes) -> None:
    """The reminder as sent (RFC 822 bytes) becomes an evidence item of the notice."""
    with transaction.atomic():
        item = evidence_item_from_bytes(
            label=notice.label,
            actor=None,
            data=raw,
            filename=f"notice-{notice.code}-reminder.eml",
            kind="correspondence",
            title=_("Reminder sent to %(partner)s") % {"partner": notice.partner.name},
            document_date=timezone.localdate(),
            source=_("Sent by e-mail"),
        )
        notice.evidence_items.add(item)


def notices_deadlines() -> dict[str, int]:
    return {"reminded": notices_send_reminders(), "overdue": notices_mark_overdue()}
