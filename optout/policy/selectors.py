"""Reads of the policy app for protection coverage (``docs/coverage.md``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.utils.translation import gettext as _

from optout.coverage import CheckOutcome
from optout.models import Label, LabelDomain
from optout.policy.models import TermsPublication, TermsText
from optout.policy.services.audits import audits_latest
from optout.policy.services.policy import policy_current

ALL = None  # a label-wide fact: every recording passes or none does


def terms_published(*, label: Label) -> TermsPublication | None:
    """The newest publication of an approved web-site terms text, if any."""
    found: TermsPublication | None = (
        TermsPublication.objects.for_label(label)
        .filter(text__status=TermsText.Status.APPROVED, text__channel="website")
        .order_by("-published_on", "-created_at")
        .first()
    )
    return found


def _label_wide(
    label: Label, ids: Collection[int] | None, passed: bool, when: object, detail: str
) -> CheckOutcome:
    from optout.coverage import coverage_catalog

    if ids is None:
        catalog = coverage_catalog()
        everyone = set(catalog.recording_ids(label)) if catalog and passed else set()
    else:
        everyone = set(ids) if passed else set()
    outcome = CheckOutcome(passed=everyone)
    if ids is not None:
        for rid in ids:
            outcome.dates[rid] = when if passed else None  # type: ignore[assignment]
            outcome.details[rid] = detail
    return outcome


def check_signals_audit(label: Label, ids: Collection[int] | None) -> CheckOutcome | None:
    """Every domain of the label was last audited against the policy in force, with no
    high-severity gap. Left out while the label names no domain."""
    domains = set(LabelDomain.objects.filter(label=label).values_list("domain", flat=True))
    if not domains:
        return None
    current = policy_current(label=label)
    latest = {a.domain: a for a in audits_latest(label=label)}
    problems = []
    finished: list[Any] = []
    for domain in sorted(domains):
        audit = latest.get(domain)
        if audit is None or audit.status != "done":
            problems.append(_("%(domain)s has no finished audit.") % {"domain": domain})
        elif current is None or audit.policy_version_id != current.pk:
            problems.append(
                _("%(domain)s was audited against another policy version.") % {"domain": domain}
            )
        elif int(audit.summary.get("high", 0)):
            problems.append(_("%(domain)s has serious gaps.") % {"domain": domain})
        else:
            finished.append(audit.finished_at)
    passed = not problems
    detail = _("Every domain's signals are clean.") if passed else " ".join(problems)
    return _label_wide(label, ids, passed, min(finished) if passed and finished else None, detail)


def policy_in_force(*, label: Label) -> bool:
    return policy_current(label=label) is not None


def publish_step_done(label: Label) -> bool:
    return policy_in_force(label=label) and terms_published(label=label) is not None


def flag_one_channel(
    label: Label, passed: dict[str, set[int]], failing: dict[str, set[int]], ids: set[int]
) -> int:
    """Recordings that at most one opt-out channel reaches (``docs/coverage.md``)."""
    label_channels = int(terms_published(label=label) is not None) + int(
        policy_in_force(label=label)
    )
    notified = passed.get("notices", set())
    tagged = passed.get("tagged", set())
    if label_channels >= 2:
        return 0
    return sum(1 for rid in ids if label_channels + (rid in notified) + (rid in tagged) <= 1)
