"""Alerts: raised when evidence is in danger or an enforcement app found something, shown
on the alerts page, e-mailed to each member as they chose (``alert_preferences``): at once
when raised, in the daily digest (``alert_digests_send``), or not at all."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from evidence.models import Alert, AlertDelivery
from evidence.services.alert_preferences import (
    alert_digest_record,
    alert_recipients,
    digest_alerts,
    digest_due,
)
from optout.models import Blob, Label, Membership, User
from optout.services.ledger import ledger_append

logger = logging.getLogger(__name__)


def _send(alert: Alert, recipients: list[str]) -> None:
    context = {"alert": alert, "label": alert.label, "base_url": settings.OPTOUT_BASE_URL}
    # Members may read either language; the e-mail goes out in the site's default.
    with override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/evidence_alert_subject.txt", context).strip()
        body = render_to_string("emails/evidence_alert_message.txt", context)
    try:
        # One message per member: no member learns the others' addresses.
        for recipient in recipients:
            send_mail(subject, body, None, [recipient])
    except Exception:
        # The alert row is what counts; the page shows it even when mail is down.
        logger.exception("Could not e-mail alert %s", alert.code)


def alert_raise(
    *,
    label: Label,
    kind: str,
    key: str,
    message: str,
    blob: Blob | None = None,
    subject: models.Model | None = None,
) -> Alert | None:
    """Raise an alert once per cause: returns None when the same cause is already open."""
    subject_type = (
        f"{subject._meta.app_label}.{subject._meta.model_name}" if subject is not None else ""
    )
    subject_code = str(getattr(subject, "code", "") or "") if subject is not None else ""
    try:
        with transaction.atomic():
            if (
                Alert.objects.for_label(label)
                .filter(key=key[:200], resolved_at__isnull=True)
                .exists()
            ):
                return None
            alert: Alert = Alert.objects.create(
                label=label,
                kind=kind,
                key=key[:200],
                message=message,
                blob=blob,
                subject_type=subject_type,
                subject_code=subject_code,
            )
            ledger_append(
                label=label,
                actor=None,
                action="integrity.alert",
                subject=subject or alert,
                blob=blob,
                data={"alert": str(alert.code), "kind": kind, "message": message},
            )
    except IntegrityError:
        return None  # raised by a concurrent check a moment ago
    recipients = [
        user.email
        for user in alert_recipients(label=label, kind=kind, delivery=AlertDelivery.IMMEDIATELY)
    ]
    if recipients:
        transaction.on_commit(lambda: _send(alert, recipients), robust=True)
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, actor: User | None) -> Alert:
    alert = Alert.objects.for_label(alert.label).select_for_update().get(pk=alert.pk)
    if alert.resolved_at is not None:
        return alert
    alert.resolved_at = timezone.now()
    alert.resolved_by = actor
    alert.save(update_fields=["resolved_at", "resolved_by"])
    ledger_append(
        label=alert.label,
        actor=actor,
        action="integrity.alert_resolved",
        subject=alert,
        data={"alert": str(alert.code), "kind": alert.kind},
    )
    return alert


# --- the daily digest ----------------------------------------------------------------------


def _digest_send(*, membership: Membership, now: datetime) -> bool:
    """One member's digest, if one is due and there is anything in it. The digest row is
    written in the transaction that sends the message, under a lock on the member's row, so
    two beats never send the same digest twice and a failed send is tried again."""
    label, user = membership.label, membership.user
    with transaction.atomic():
        Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if not digest_due(label=label, user=user, now=now):
            return False
        start, alerts = digest_alerts(label=label, user=user, role=membership.role, now=now)
        alert_digest_record(label=label, user=user, start=start, end=now, count=len(alerts))
        if not alerts:
            return False
        context = {
            "label": label,
            "alerts": alerts,
            "start": start,
            "end": now,
            "base_url": settings.OPTOUT_BASE_URL,
        }
        with override(settings.LANGUAGE_CODE):
            subject = render_to_string("emails/alert_digest_subject.txt", context).strip()
            body = render_to_string("emails/alert_digest_message.txt", context)
        send_mail(subject, body, None, [user.email])
    return True


def alert_digests_send(*, now: datetime | None = None) -> int:
    """Send each member of every active label the digest of the alerts they read daily
    (system code: the daily beat). Returns how many digests went out."""
    now = now or timezone.now()
    sent = 0
    for label in Label.objects.filter(is_active=True).order_by("pk"):
        members = (
            Membership.objects.filter(label=label, user__is_active=True)
            .exclude(user__email="")
            .select_related("user", "label")
            .order_by("pk")
        )
        for membership in members:
            try:
                sent += _digest_send(membership=membership, now=now)
            except Exception:
                # One member's mail server trouble must not hold back the others' digests.
                logger.exception("Could not send the alert digest to member %s", membership.pk)
    return sent
