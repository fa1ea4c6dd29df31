"""Signal audits: fetch what a label's sites publish, keep it, and name every gap."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from optout.jobs import JobFailure
from optout.lib.fetch import (
    BadResponse,
    ConnectionFailed,
    FetchError,
    FetchRefused,
    FetchTimeout,
    TlsFailed,
    fetch,
)
from optout.models import Label, LabelDomain, User
from optout.policy.compilers.audit import (
    Fetched,
    SiteSnapshot,
    audit_site,
    license_url_to_fetch,
)
from optout.policy.models import SignalAudit, SignalAuditFile
from optout.policy.services.agents import agent_registry
from optout.policy.services.policy import label_facts, policy_current, policy_spec
from optout.services.blobs import blob_store_bytes
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

logger = logging.getLogger(__name__)

AUDIT_KIND = "policy.audit"
SMALL_FILE_BYTES = 2 * 1024 * 1024
HOME_PAGE_BYTES = 5 * 1024 * 1024
DEADLINE_SECONDS = 20.0
# Failures that say nothing about the site's policy, only that this scheme did not work.
_TRY_PLAIN_HTTP = (ConnectionFailed, TlsFailed, BadResponse, FetchTimeout)

AuditDoneHook = Callable[[SignalAudit], None]
_AUDIT_DONE_HOOKS: list[AuditDoneHook] = []


def register_audit_done_hook(hook: AuditDoneHook) -> None:
    """Call ``hook(audit)`` each time an audit is settled ``done`` (with its gaps, or
    none), inside the transaction that settles it: how an app above the core (evidence's
    alerts) learns what an audit found, without the core importing that app."""
    if hook not in _AUDIT_DONE_HOOKS:
        _AUDIT_DONE_HOOKS.append(hook)


def audits_latest(*, label: Label) -> list[SignalAudit]:
    """The newest audit of each domain, domains in name order."""
    latest: dict[str, SignalAudit] = {}
    for audit in (
        SignalAudit.objects.for_label(label)
        .select_related("job", "policy_version")
        .order_by("domain", "-created_at")
    ):
        latest.setdefault(audit.domain, audit)
    return list(latest.values())


def audits_recent(*, label: Label, limit: int = 50) -> list[SignalAudit]:
    return list(
        SignalAudit.objects.for_label(label).select_related("job").order_by("-created_at")[:limit]
    )


@transaction.atomic
def audit_request(
    *, label: Label, actor: User | None, domain: LabelDomain | None = None
) -> list[SignalAudit]:
    """Queue one audit job per domain of the label (or for ``domain`` alone)."""
    domains = (
        [domain]
        if domain is not None
        else list(LabelDomain.objects.filter(label=label).order_by("domain"))
    )
    audits = []
    for row in domains:
        job = job_create(
            label=label,
            kind=AUDIT_KIND,
            actor=actor,
            title=gettext_noop("Signal audit of %(domain)s"),
            title_args={"domain": row.domain},
        )
        audit = SignalAudit.objects.create(
            label=label, domain=row.domain, label_domain=row, job=job, requested_by=actor
        )
        job.params = {"audit": str(audit.code)}
        job.save(update_fields=["params"])
        ledger_append(
            label=label,
            actor=actor,
            action="audit.requested",
            subject=audit,
            data={"domain": row.domain, "job": str(job.code)},
        )
        audits.append(audit)
    return audits


def audits_schedule(*, min_age: timedelta = timedelta(days=6)) -> int:
    """Queue an audit of every domain of every active label not audited lately (beat)."""
    queued = 0
    cutoff = timezone.now() - min_age
    for label in Label.objects.filter(is_active=True).order_by("pk"):
        recent = set(
            SignalAudit.objects.for_label(label)
            .filter(created_at__gte=cutoff)
            .values_list("domain", flat=True)
        )
        for row in LabelDomain.objects.filter(label=label).order_by("domain"):
            if row.domain not in recent:
                audit_request(label=label, actor=None, domain=row)
                queued += 1
    return queued


@dataclass
class _Fetcher:
    """Fetches through the safe fetcher and keeps every response as a blob."""

    audit: SignalAudit
    actor: User | None

    def get(self, kind: str, url: str, *, max_bytes: int) -> Fetched:
        try:
            with fetch(
                url,
                max_bytes=max_bytes,
                deadline_seconds=DEADLINE_SECONDS,
                allow_partial=kind == "home",
            ) as result:
                final = result.final
                body = final.body.read()
                fetched = Fetched(
                    url=url,
                    status=final.status,
                    body=final.text() if final.status == 200 else "",
                    headers=final.headers,
                )
                self._keep(kind, url, fetched, body, final.content_type, result.provenance())
                return fetched
        except FetchError as exc:
            fetched = Fetched(url=url, status=None, error=exc.message)
            self._keep(kind, url, fetched, None, "", {"error": exc.as_dict()})
            if isinstance(exc, FetchRefused) or not isinstance(exc, _TRY_PLAIN_HTTP):
                raise
            return fetched

    def _keep(
        self,
        kind: str,
        url: str,
        fetched: Fetched,
        body: bytes | None,
        media_type: str,
        provenance: dict[str, Any],
    ) -> None:
        label = self.audit.label
        with transaction.atomic():
            blob = None
            if body:
                blob = blob_store_bytes(
                    label=label, data=body, actor=self.actor, media_type=media_type or None
                )
            row = SignalAuditFile.objects.create(
                label=label,
                audit=self.audit,
                kind=kind,
                url=url[:2048],
                status=fetched.status,
                error=fetched.error[:2000],
                headers=[list(h) for h in fetched.headers][:200],
                provenance=provenance,
                blob=blob,
            )
            ledger_append(
                label=label,
                actor=self.actor,
                action="audit.fetched",
                subject=self.audit,
                blob=blob,
                data={
                    "kind": kind,
                    "url": url[:500],
                    "status": fetched.status or 0,
                    "error": fetched.error[:500],
                    "file": str(row.code),
                },
            )


def _origin(fetcher: _Fetcher, domain: str) -> tuple[str, Fetched]:
    """The site's origin and home page: HTTPS first, plain HTTP only if HTTPS fails."""
    first = fetcher.get("home", f"https://{domain}/", max_bytes=HOME_PAGE_BYTES)
    if first.status is not None:
        return f"https://{domain}", first
    second = fetcher.get("home", f"http://{domain}/", max_bytes=HOME_PAGE_BYTES)
    if second.status is None:
        raise JobFailure(
            _("%(domain)s could not be reached over HTTPS or HTTP: %(reason)s")
            % {"domain": domain, "reason": second.error}
        )
    return f"http://{domain}", second


def audit_run(
    *,
    audit: SignalAudit,
    actor: User | None,
    progress: Callable[[int, str], None] = lambda p, s: None,
) -> SignalAudit:
    """Fetch the domain's signals, compare them with the policy in force, record gaps."""
    label = audit.label
    current = policy_current(label=label)
    if current is None:
        raise JobFailure(_("The label has no policy in force to compare with."))
    spec = policy_spec(current)
    facts = label_facts(label=label, version=current)
    registry = agent_registry()
    fetcher = _Fetcher(audit=audit, actor=actor)
    progress(5, _("Fetching the home page"))
    try:
        origin, home = _origin(fetcher, audit.domain)
        progress(30, _("Fetching robots.txt"))
        robots = fetcher.get("robots", f"{origin}/robots.txt", max_bytes=SMALL_FILE_BYTES)
        progress(50, _("Fetching tdmrep.json"))
        tdmrep = fetcher.get(
            "tdmrep", f"{origin}/.well-known/tdmrep.json", max_bytes=SMALL_FILE_BYTES
        )
        licence = None
        license_url = license_url_to_fetch(robots.body, facts) if robots.ok else None
        if license_url:
            progress(65, _("Fetching the licence"))
            licence = fetcher.get("license", license_url, max_bytes=SMALL_FILE_BYTES)
    except FetchError as exc:
        raise JobFailure(
            _("%(domain)s cannot be audited: %(reason)s")
            % {"domain": audit.domain, "reason": exc.message}
        ) from None
    progress(80, _("Comparing with the policy"))
    report = audit_site(
        spec,
        facts,
        registry,
        SiteSnapshot(
            domain=audit.domain,
            origin=origin,
            robots=robots,
            tdmrep=tdmrep,
            home=home,
            license=licence,
        ),
    )
    with transaction.atomic():
        audit.policy_version = current
        audit.origin = origin
        audit.gaps = [g.as_dict() for g in report.gaps]
        audit.summary = {
            **report.counts,
            "agents_checked": report.agents_checked,
            "agents_wrong": len(report.agents_wrong),
        }
        audit.status = SignalAudit.Status.DONE
        audit.finished_at = timezone.now()
        audit.save(
            update_fields=["policy_version", "origin", "gaps", "summary", "status", "finished_at"]
        )
        ledger_append(
            label=label,
            actor=actor,
            action="audit.completed",
            subject=audit,
            data={"domain": audit.domain, "policy_version": current.number or 0, **audit.summary},
        )
        for hook in _AUDIT_DONE_HOOKS:
            hook(audit)
    return audit


def audit_fail(*, audit: SignalAudit, reason: str) -> None:
    SignalAudit.objects.for_label(audit.label).filter(pk=audit.pk).update(
        status=SignalAudit.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def audit_run_queued(
    *,
    label: Label,
    code: str | None,
    actor: User | None,
    progress: Callable[[int, str], None],
) -> dict[str, Any]:
    """Run the audit a ``policy.audit`` job was queued for; a permanent failure is recorded
    on the audit as well as on the job."""
    audit = SignalAudit.objects.for_label(label).select_related("label").filter(code=code).first()
    if audit is None:
        raise JobFailure(_("The audit this job was queued for no longer exists."))
    try:
        audit = audit_run(audit=audit, actor=actor, progress=progress)
    except JobFailure as exc:
        audit_fail(audit=audit, reason=str(exc))
        raise
    return {"audit": str(audit.code), **audit.summary}
