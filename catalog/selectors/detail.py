"""What a record's page shows besides its own fields: related records and risk flags."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from catalog.entities import Entity
from catalog.models import (
    Consent,
    Contract,
    ContributionRecord,
    MarketNote,
    Master,
    Recording,
    Release,
    ReleaseTrack,
    ToolTerms,
)
from catalog.record_sections import record_sections
from catalog.selectors import risks
from catalog.selectors.masters import release_zip_jobs
from optout.policy.services.territories import TerritoryChecklist, territory_checklist
from optout.services.coverage import recording_checklist
from optout.tenancy import LabelAccess

RELATED_LIMIT = 100


def release_territory_checklist(*, release: Release) -> TerritoryChecklist | None:
    """What each region the release is sold in asks for (``optout.policy``); None when
    the release names no territory yet."""
    if not release.territories:
        return None
    try:
        return territory_checklist(
            label=release.label,
            territories=release.territories,
            excluded=release.excluded_territories or [],
        )
    except ValidationError:
        return None


def contracts_covering_recording(*, recording: Recording) -> list[Contract]:
    coverage = Q(recordings=recording) | Q(releases__tracks__recording=recording)
    if recording.work_id:
        coverage |= Q(works=recording.work_id)
    return list(
        Contract.objects.for_label(recording.label)
        .filter(coverage)
        .select_related("partner")
        .distinct()
        .order_by("title")[:RELATED_LIMIT]
    )


def _clauses(contract: Contract) -> list[dict[str, Any]]:
    return [
        {
            "title": getattr(contract._meta.get_field(name), "verbose_name", name),
            "value": getattr(contract, name),
            "display": getattr(contract, f"get_{name}_display")(),
        }
        for name in Contract.AI_FIELDS
    ]


def detail_context(*, entity: Entity, obj: Any, access: LabelAccess) -> dict[str, Any]:
    label = access.label
    if entity.key == "recording":
        return {
            "masters": list(
                Master.objects.for_label(label)
                .filter(recording=obj)
                .prefetch_related("tagged_copies")
                .order_by("-version")[:RELATED_LIMIT]
            ),
            "checklist": recording_checklist(label=label, recording_id=obj.pk),
            "record_sections": record_sections(entity="recording", access=access, obj=obj),
            "uncovered_vocalists": risks.recording_uncovered_vocalists(recording=obj),
            "performers": list(obj.performers.all()),
            "appearances": list(
                ReleaseTrack.objects.for_label(label)
                .filter(recording=obj)
                .select_related("release")
                .order_by("release__title")[:RELATED_LIMIT]
            ),
            "consents": list(
                Consent.objects.for_label(label)
                .filter(recordings=obj)
                .select_related("party")[:RELATED_LIMIT]
            ),
            "contributions": list(
                ContributionRecord.objects.for_label(label)
                .filter(recording=obj)
                .select_related("contributor", "file")[:RELATED_LIMIT]
            ),
            "tool_terms": list(
                ToolTerms.objects.for_label(label).filter(recordings=obj)[:RELATED_LIMIT]
            ),
            "market_notes": list(
                MarketNote.objects.for_label(label).filter(recording=obj)[:RELATED_LIMIT]
            ),
            "contracts": contracts_covering_recording(recording=obj),
            "ai_disclosure": [
                {
                    "title": getattr(obj._meta.get_field(name), "verbose_name", name),
                    "value": getattr(obj, name),
                    "display": getattr(obj, f"get_{name}_display")(),
                }
                for name in Recording.AI_FIELDS
            ],
        }
    if entity.key == "release":
        return {
            "tracks": list(obj.tracks.all()),
            "partners": list(obj.partners.all()[:RELATED_LIMIT]),
            "contracts": list(obj.contracts.all()[:RELATED_LIMIT]),
            "territory_checklist": release_territory_checklist(release=obj),
            "zip_job": release_zip_jobs(release=obj).first(),
        }
    if entity.key == "work":
        return {
            "writers": list(obj.writers.all()),
            "recordings": list(obj.recordings.all().order_by("title")[:RELATED_LIMIT]),
            "contracts": list(obj.contracts.all()[:RELATED_LIMIT]),
        }
    if entity.key == "contract":
        return {"clauses": _clauses(obj), "flags": risks.contract_flags(contract=obj)}
    if entity.key == "partner":
        contracts = list(obj.contracts.all()[:RELATED_LIMIT])
        return {
            "contacts": list(obj.contacts.all()),
            "contracts": contracts,
            "flags": [f for c in contracts for f in risks.contract_flags(contract=c)],
            "risk_flags": list(risks.partner_open_risk_flags(partner=obj)),
        }
    if entity.key == "party":
        return {
            "contracts": list(obj.contracts.all()[:RELATED_LIMIT]),
            "writings": list(obj.writings.select_related("work")[:RELATED_LIMIT]),
            "performances": list(obj.performances.select_related("recording")[:RELATED_LIMIT]),
            "consents": list(obj.consents.all()[:RELATED_LIMIT]),
        }
    return {}
