"""Partner risk flags learnt from what a partner said or published (see ``PartnerRiskFlag``)."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from catalog.models import Partner, PartnerRiskFlag
from catalog.services.entities import catalog_changed
from optout.models import User
from optout.services.ledger import ledger_append


@transaction.atomic
def partner_risk_raise(
    *,
    partner: Partner,
    source: str,
    reason: str,
    subject: models.Model | None = None,
    actor: User | None = None,
) -> PartnerRiskFlag:
    """Raise a flag on ``partner``; the same subject raises at most one open flag."""
    subject_type = (
        f"{subject._meta.app_label}.{subject._meta.model_name}" if subject is not None else ""
    )
    subject_code = str(getattr(subject, "code", "") or "") if subject is not None else ""
    if subject is not None:
        existing: PartnerRiskFlag | None = (
            PartnerRiskFlag.objects.for_label(partner.label)
            .filter(
                partner=partner,
                subject_type=subject_type,
                subject_code=subject_code,
                cleared_at__isnull=True,
            )
            .first()
        )
        if existing is not None:
            return existing
    flag: PartnerRiskFlag = PartnerRiskFlag.objects.create(
        label=partner.label,
        partner=partner,
        source=source,
        reason=reason,
        subject_type=subject_type,
        subject_code=subject_code,
    )
    ledger_append(
        label=partner.label,
        actor=actor,
        action="partner.risk_raised",
        subject=partner,
        data={
            "flag": str(flag.code),
            "source": source,
            "reason": reason,
            "subject_type": subject_type,
            "subject_code": subject_code,
        },
    )
    catalog_changed(label=partner.label)
    return flag


@transaction.atomic
def partner_risk_clear(*, flag: PartnerRiskFlag, actor: User, note: str = "") -> PartnerRiskFlag:
    flag = PartnerRiskFlag.objects.for_label(flag.label).select_for_update().get(pk=flag.pk)
    if flag.cleared_at is not None:
        return flag
    flag.cleared_at = timezone.now()
    flag.cleared_by = actor
    flag.cleared_note = note
    flag.save(update_fields=["cleared_at", "cleared_by", "cleared_note"])
    ledger_append(
        label=flag.label,
        actor=actor,
        action="partner.risk_cleared",
        subject=flag.partner,
        data={"flag": str(flag.code), "note": note},
    )
    catalog_changed(label=flag.label)
    return flag
