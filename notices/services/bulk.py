"""Bulk notices: one notice to every partner that carries a release or the catalog.

One job does all of it, partner by partner: create the notice, render its PDF, send it.
A PDF is dropped before the next partner's is rendered, so the job holds at most one PDF
at a time however many partners there are. A partner without a contact, or whose notice
could not be made or sent, is listed in the result with the reason, never skipped silently.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Partner, Release
from notices.models import NoticeBatch, PartnerNotice
from notices.services.notices import notice_create, notice_render, notice_send
from notices.wording import BY_CODE, language_for_territories
from optout.jobs import JobContext, JobFailure
from optout.models import Job, Label, User
from optout.policy.services.policy import policy_current
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append

BULK_JOB = "notices.bulk"


def bulk_partners(*, label: Label, release: Release | None) -> QuerySet[Partner]:
    """The partners a bulk notice goes to: those carrying ``release``, else any release."""
    partners = Partner.objects.for_label(label)
    if release is not None:
        partners = partners.filter(releases=release)
    else:
        partners = partners.filter(releases__isnull=False)
    return partners.distinct().order_by("name", "pk")


def notice_batch_create(
    *,
    label: Label,
    actor: User,
    release: Release | None,
    language: str = "",
    deadline: date | None = None,
    send: bool = True,
) -> NoticeBatch:
    """Ask for one notice per partner (of ``release``, or of the whole catalog)."""
    errors: dict[str, list[str]] = {}
    if release is not None and release.label_id != label.pk:
        errors["release"] = [_("Choose one of this label's releases.")]
    if language and language not in BY_CODE:
        errors["language"] = [_("Choose one of the offered languages.")]
    if deadline is not None and deadline <= timezone.localdate():
        errors["deadline"] = [_("The deadline must be in the future.")]
    if errors:
        raise ValidationError(errors)
    if policy_current(label=label) is None:
        raise ValidationError(
            _("Approve a reservation policy before sending notices: the notice quotes it.")
        )
    if not bulk_partners(label=label, release=release).exists():
        raise ValidationError(
            {
                "release": [
                    _("No partner carries this release: link partners to it first.")
                    if release is not None
                    else _("No partner carries any release of the catalog yet.")
                ]
            }
        )
    scope = NoticeBatch.Scope.RELEASE if release is not None else NoticeBatch.Scope.CATALOG
    with transaction.atomic():
        batch: NoticeBatch = NoticeBatch.objects.create(
            label=label,
            scope=scope,
            release=release,
            language=language,
            deadline=deadline,
            send=send,
            created_by=actor,
        )
        batch.job = job_create(
            label=label,
            kind=BULK_JOB,
            actor=actor,
            title=_("Notify the partners of %(what)s")
            % {"what": release.title if release is not None else _("the catalog")},
            params={"batch": str(batch.code)},
        )
        batch.save(update_fields=["job"])
        ledger_append(
            label=label,
            actor=actor,
            action="notices.bulk_request",
            subject=batch,
            data={
                "scope": scope,
                "release": str(release.code) if release is not None else "",
                "send": send,
            },
        )
    return batch


def _one(*, batch: NoticeBatch, partner: Partner, job: Job, actor: User | None) -> PartnerNotice:
    release = batch.release
    notice = notice_create(
        label=batch.label,
        partner=partner,
        scope=PartnerNotice.Scope.RELEASES if release is not None else PartnerNotice.Scope.CATALOG,
        releases=[release] if release is not None else None,
        language=batch.language or language_for_territories(partner.territories),
        deadline=batch.deadline,
        actor=actor,
        render=False,
    )
    notice.job = job
    notice.save(update_fields=["job"])
    notice = notice_render(notice=notice, actor=actor)
    if batch.send:
        notice = notice_send(notice=notice, actor=actor)
    return notice


def notice_batch_run(*, ctx: JobContext) -> dict[str, Any]:
    batch: NoticeBatch | None = (
        NoticeBatch.objects.for_label(ctx.job.label)
        .select_related("label", "release")
        .filter(code=ctx.params["batch"])
        .first()
    )
    if batch is None:
        raise JobFailure("The bulk notice request no longer exists.")
    actor = ctx.job.created_by
    # Only ids are held: each partner's rows, PDF and message are loaded in its own turn.
    partner_ids = list(
        bulk_partners(label=batch.label, release=batch.release).values_list("pk", flat=True)
    )
    result: dict[str, list[dict[str, str]]] = {"notices": [], "without_contact": [], "failed": []}
    total = len(partner_ids)
    for done, pk in enumerate(partner_ids):
        partner = Partner.objects.for_label(batch.label).get(pk=pk)
        ctx.progress(
            done * 100 / max(total, 1),
            _("%(partner)s (%(n)s of %(total)s)")
            % {"partner": partner.name, "n": done + 1, "total": total},
        )
        row = {"partner": str(partner.code), "name": partner.name}
        if not partner.contacts.exists():
            result["without_contact"].append(row)
        else:
            try:
                notice = _one(batch=batch, partner=partner, job=ctx.job, actor=actor)
            except (ValidationError, JobFailure) as exc:
                reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                result["failed"].append({**row, "reason": reason})
            else:
                result["notices"].append(
                    {**row, "notice": str(notice.code), "status": notice.status}
                )
                del notice
        batch.result = result
        batch.save(update_fields=["result"])
    ctx.progress(100, _("Done"))
    ledger_append(
        label=batch.label,
        actor=actor,
        action="notices.bulk_done",
        subject=batch,
        data={key: len(rows) for key, rows in result.items()},
    )
    return {key: len(rows) for key, rows in result.items()}
