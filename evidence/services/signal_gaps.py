"""Signal audits on the alerts page: a finished audit that found gaps raises a ``signal_gap``
alert for its domain, naming the gaps and linking the audit; the next clean audit of that
domain resolves it. The core calls ``audit_gaps_alert`` through its audit-done hook
(``register_audit_done_hook``, filled in ``evidence/registrations.py``), in the transaction
that settles the audit."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from evidence.models import Alert
from evidence.services.alerts import alert_raise, alert_resolve
from optout.policy.models import SignalAudit

ALERT_GAP_LINES = 20
"""How many gaps the alert lists, the most severe first; the audit's page shows them all."""

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def signal_gap_key(domain: str) -> str:
    """One open alert per audited domain, whichever audit raised it."""
    return f"signal_gap:{domain.lower()}"[:200]


def _gap_text(gap: dict[str, Any]) -> str:
    try:
        return str(_(gap["message"]) % gap.get("params", {}))
    except (KeyError, TypeError, ValueError):
        return str(gap.get("message", ""))


def _severity(value: str) -> str:
    words = {"high": _("high"), "medium": _("medium"), "low": _("low")}
    return str(words.get(value, value))


def _message(audit: SignalAudit) -> str:
    gaps = sorted(audit.gaps, key=lambda g: _SEVERITY_ORDER.get(g.get("severity", ""), 3))
    lines = [
        ngettext(
            "The signal audit of %(domain)s found %(count)d gap:",
            "The signal audit of %(domain)s found %(count)d gaps:",
            len(gaps),
        )
        % {"domain": audit.domain, "count": len(gaps)}
    ]
    for gap in gaps[:ALERT_GAP_LINES]:
        severity = _severity(gap.get("severity", ""))
        lines.append(f"- [{severity}] {gap.get('file', '')}: {_gap_text(gap)}")
    if len(gaps) > ALERT_GAP_LINES:
        lines.append(_("…and %(count)d more") % {"count": len(gaps) - ALERT_GAP_LINES})
    url = settings.OPTOUT_BASE_URL + reverse(
        "policy:audit", kwargs={"slug": audit.label.slug, "code": audit.code}
    )
    lines.append("")
    lines.append(_("See the audit: %(url)s") % {"url": url})
    return "\n".join(lines)


def _same_gaps(alert: Alert, audit: SignalAudit) -> bool:
    """Whether the open alert was raised for the gaps this audit found again."""
    if alert.subject_type != "policy.signalaudit" or not alert.subject_code:
        return False
    before = (
        SignalAudit.objects.for_label(audit.label)
        .filter(code=alert.subject_code)
        .values_list("gaps", flat=True)
        .first()
    )
    if before is None:
        return False

    def shape(gaps: list[dict[str, Any]]) -> list[str]:
        return sorted(json.dumps(gap, sort_keys=True) for gap in gaps)

    return shape(before) == shape(audit.gaps)


def audit_gaps_alert(*, audit: SignalAudit) -> Alert | None:
    """The alert for a finished audit: raised when it found gaps (once per domain while the
    gaps stay the same; replaced when they change), resolved when it found none. Returns
    the alert raised, if any."""
    label = audit.label
    key = signal_gap_key(audit.domain)
    open_alert = Alert.objects.for_label(label).filter(key=key, resolved_at__isnull=True).first()
    if open_alert is not None:
        if audit.gaps and _same_gaps(open_alert, audit):
            return None
        # The site was put right, or its gaps changed: the old list no longer holds.
        alert_resolve(alert=open_alert, actor=None)
    if not audit.gaps:
        return None
    # The alert is for the rights team: in the site's language, whoever ran the audit.
    with override(settings.LANGUAGE_CODE):
        message = _message(audit)
    return alert_raise(
        label=label, kind=Alert.Kind.SIGNAL_GAP, key=key, message=message, subject=audit
    )
