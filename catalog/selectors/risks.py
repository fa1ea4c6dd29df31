"""Risk flags, derived from contracts and performers on every read (never stored).

* **Silent sublicensing**: a contract with a partner that is silent on, or permits,
  sublicensing for AI or dataset deals — the partner may pass the catalog on.
* **Voice not covered**: a recording with a vocalist for whom no contract naming that
  vocalist, and covering the recording (directly, through a release it is on, or
  through its work), decides voice modelling (prohibited or permitted).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from catalog.models import (
    AIClause,
    Contract,
    Partner,
    PartnerRiskFlag,
    Party,
    Recording,
    RecordingPerformer,
)
from optout.models import Label

DECIDED = (AIClause.PROHIBITED, AIClause.PERMITTED)
SUBLICENSING_RISK = (AIClause.SILENT, AIClause.PERMITTED)

FLAG_SILENT_SUBLICENSING = "silent_sublicensing"
FLAG_VOICE_NOT_COVERED = "voice_not_covered"
FLAG_PARTNER_AT_RISK = "at_risk"


def silent_sublicensing_q() -> Q:
    return Q(partner__isnull=False, ai_sublicensing__in=SUBLICENSING_RISK)


def contracts_silent_sublicensing(*, label: Label) -> QuerySet[Contract]:
    return Contract.objects.for_label(label).filter(silent_sublicensing_q())


def _voice_covering_contracts(
    *, label: Label, recording_ref: OuterRef, work_ref: OuterRef
) -> QuerySet[Contract]:
    return (
        Contract.objects.for_label(label)
        .filter(ai_voice__in=DECIDED, parties=OuterRef("party"))
        .filter(
            Q(recordings=recording_ref)
            | Q(releases__tracks__recording=recording_ref)
            | Q(works=work_ref)
        )
    )


def uncovered_vocalists_q(*, label: Label) -> Exists:
    """Recordings (the outer query) that have a vocalist without a voice clause."""
    covering = _voice_covering_contracts(
        label=label, recording_ref=OuterRef(OuterRef("pk")), work_ref=OuterRef(OuterRef("work"))
    )
    uncovered = (
        RecordingPerformer.objects.for_label(label)
        .filter(recording=OuterRef("pk"), role__in=RecordingPerformer.VOCAL_ROLES)
        .exclude(Exists(covering))
    )
    return Exists(uncovered)


def recordings_voice_not_covered(*, label: Label) -> QuerySet[Recording]:
    return Recording.objects.for_label(label).filter(uncovered_vocalists_q(label=label))


def recording_uncovered_vocalists(*, recording: Recording) -> list[Party]:
    """The vocalists of one recording whom no contract's voice clause covers."""
    label = recording.label
    covering = (
        Contract.objects.for_label(label)
        .filter(ai_voice__in=DECIDED, parties=OuterRef("pk"))
        .filter(
            Q(recordings=recording)
            | Q(releases__tracks__recording=recording)
            | (Q(works=recording.work_id) if recording.work_id else Q(pk__in=[]))
        )
    )
    vocal_party_ids = (
        RecordingPerformer.objects.for_label(label)
        .filter(recording=recording, role__in=RecordingPerformer.VOCAL_ROLES)
        .values("party_id")
    )
    return list(
        Party.objects.for_label(label)
        .filter(pk__in=vocal_party_ids)
        .exclude(Exists(covering))
        .order_by("name")
    )


@dataclass(frozen=True)
class Flag:
    key: str
    message: str


def contract_flags(*, contract: Contract) -> list[Flag]:
    from django.utils.translation import gettext as _

    flags = []
    if contract.partner_id and contract.ai_sublicensing in SUBLICENSING_RISK:
        flags.append(
            Flag(
                FLAG_SILENT_SUBLICENSING,
                _(
                    "Silent sublicensing: this partner contract is silent on, or permits, "
                    "sublicensing for AI or dataset deals."
                )
                if contract.ai_sublicensing == AIClause.SILENT
                else _(
                    "Permissive sublicensing: this partner contract permits sublicensing "
                    "for AI or dataset deals."
                ),
            )
        )
    if contract.kind == Contract.Kind.VOCALIST and contract.ai_voice not in DECIDED:
        flags.append(
            Flag(
                FLAG_VOICE_NOT_COVERED,
                _(
                    "Voice not covered: this vocalist agreement does not decide voice "
                    "modelling or synthetic replicas."
                ),
            )
        )
    return flags


def partner_open_risk_flags(*, partner: Partner) -> QuerySet[PartnerRiskFlag]:
    """Flags raised on ``partner`` by what it said or published, still open."""
    return PartnerRiskFlag.objects.for_label(partner.label).filter(
        partner=partner, cleared_at__isnull=True
    )


def partners_at_risk(*, label: Label) -> QuerySet[Partner]:
    """Partners with a contract silent on (or permitting) sublicensing, or an open flag.

    The dashboard's risk list: both kinds of risk mean the partner may pass the catalog on.
    """
    open_flags = PartnerRiskFlag.objects.for_label(label).filter(
        partner=OuterRef("pk"), cleared_at__isnull=True
    )
    risky_contracts = Contract.objects.for_label(label).filter(
        silent_sublicensing_q(), partner=OuterRef("pk")
    )
    partners: QuerySet[Partner] = (
        Partner.objects.for_label(label)
        .annotate(has_open_flag=Exists(open_flags), has_risky_contract=Exists(risky_contracts))
        .filter(Q(has_open_flag=True) | Q(has_risky_contract=True))
        .order_by("name", "code")
    )
    return partners
