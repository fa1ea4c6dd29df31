"""Who hears of which alert, and when: each member's choice per kind, with defaults.

Without a choice of their own a member gets:

* the evidence-integrity kinds (a stored file changed or vanished, a packet blocked, a
  timestamp that could not be obtained): immediately if they are an owner, otherwise not
  at all (as before members could choose);
* every other kind (watched pages, failed captures, signal gaps, overdue notices, fan
  reports, fingerprint matches, overdue platform controls): in the daily digest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from evidence.models import Alert, AlertDelivery, AlertDigest, AlertPreference
from optout.models import Label, Membership, User
from optout.roles import Role
from optout.services.ledger import ledger_append

INTEGRITY_KINDS = frozenset(
    {
        Alert.Kind.BLOB_CHANGED,
        Alert.Kind.BLOB_MISSING,
        Alert.Kind.PACKET_BLOCKED,
        Alert.Kind.TIMESTAMP_FAILED,
    }
)
DIGEST_PERIOD = timedelta(days=1)


def default_delivery(*, kind: str, role: str) -> str:
    if kind in INTEGRITY_KINDS:
        return AlertDelivery.IMMEDIATELY if role == Role.OWNER else AlertDelivery.NEVER
    return AlertDelivery.DAILY


def alert_deliveries(*, label: Label, user: User, role: str) -> dict[str, str]:
    """Every alert kind and how ``user`` receives it (their choice, else the default)."""
    chosen = dict(
        AlertPreference.objects.for_label(label).filter(user=user).values_list("kind", "delivery")
    )
    return {
        kind: chosen.get(kind) or default_delivery(kind=kind, role=role)
        for kind in Alert.Kind.values
    }


def alert_recipients(*, label: Label, kind: str, delivery: str) -> list[User]:
    """The active members who receive alerts of ``kind`` by ``delivery``, by e-mail address."""
    members = Membership.objects.filter(label=label, user__is_active=True).select_related("user")
    chosen = dict(
        AlertPreference.objects.for_label(label)
        .filter(kind=kind)
        .values_list("user_id", "delivery")
    )
    found = [
        m.user
        for m in members
        if (chosen.get(m.user_id) or default_delivery(kind=kind, role=m.role)) == delivery
        and m.user.email
    ]
    return sorted(found, key=lambda user: user.email)


@transaction.atomic
def alert_preferences_set(
    *, label: Label, user: User, deliveries: dict[str, str]
) -> dict[str, str]:
    """Save ``user``'s choice for the kinds named in ``deliveries``; returns all of them.

    ``ValueError`` names an unknown kind or delivery; nothing is saved then.
    """
    membership = Membership.objects.filter(label=label, user=user).first()
    if membership is None:
        raise ValueError("not a member")
    for kind, delivery in deliveries.items():
        if kind not in Alert.Kind.values:
            raise ValueError(f"unknown alert kind: {kind}")
        if delivery not in AlertDelivery.values:
            raise ValueError(f"unknown delivery: {delivery}")
    changed = {}
    current = alert_deliveries(label=label, user=user, role=membership.role)
    for kind, delivery in deliveries.items():
        AlertPreference.objects.for_label(label).update_or_create(
            label=label, user=user, kind=kind, defaults={"delivery": delivery}
        )
        if current[kind] != delivery:
            changed[kind] = delivery
    if changed:
        ledger_append(
            label=label,
            actor=user,
            action="alert.preferences_set",
            subject=membership.label,
            data={"member": user.email, "deliveries": changed},
        )
    return alert_deliveries(label=label, user=user, role=membership.role)


def digest_alerts(
    *, label: Label, user: User, role: str, now: datetime
) -> tuple[datetime, list[Alert]]:
    """The start of ``user``'s next digest and the alerts it holds: those raised since the
    previous digest (at most one period back), of the kinds the member reads daily."""
    last = AlertDigest.objects.for_label(label).filter(user=user).order_by("-period_end").first()
    start = last.period_end if last is not None else now - DIGEST_PERIOD
    start = max(start, now - DIGEST_PERIOD)
    daily = [
        kind
        for kind, delivery in alert_deliveries(label=label, user=user, role=role).items()
        if delivery == AlertDelivery.DAILY
    ]
    alerts = list(
        Alert.objects.for_label(label)
        .filter(kind__in=daily, created_at__gt=start, created_at__lte=now)
        .order_by("created_at", "id")
    )
    return start, alerts


def digest_due(*, label: Label, user: User, now: datetime) -> bool:
    """A member gets at most one digest per period, however often the beat runs."""
    last = AlertDigest.objects.for_label(label).filter(user=user).order_by("-period_end").first()
    return last is None or now - last.period_end >= DIGEST_PERIOD - timedelta(minutes=5)


def alert_digest_record(
    *, label: Label, user: User, start: datetime, end: datetime, count: int
) -> AlertDigest:
    digest: AlertDigest = AlertDigest.objects.create(
        label=label, user=user, period_start=start, period_end=end, alerts=count
    )
    return digest
