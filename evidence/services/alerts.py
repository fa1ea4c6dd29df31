"""Alerts: raised when evidence is in danger, shown on the dashboard, e-mailed to owners."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from evidence.models import Alert
from optout.models import Blob, Label, Membership, User
from optout.roles import Role
from optout.services.ledger import ledger_append

logger = logging.getLogger(__name__)


def _owner_emails(label: Label) -> list[str]:
    return sorted(
        Membership.objects.filter(label=label, role=Role.OWNER, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )


def _send(alert: Alert, recipients: list[str]) -> None:
    context = {"alert": alert, "label": alert.label, "base_url": settings.OPTOUT_BASE_URL}
    # The owners may read either language; the e-mail goes out in the site's default.
    with override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/evidence_alert_subject.txt", context).strip()
        body = render_to_string("emails/evidence_alert_message.txt", context)
    try:
        send_mail(subject, body, None, recipients)
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
    recipients = _owner_emails(label)
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
