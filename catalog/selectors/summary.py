"""Counts and flags for the dashboard panels and the catalog overview.

Counts run per label on indexed columns; the result is cached per label and dropped by
every catalog write (``catalog.services.entities.catalog_changed``), so a dashboard
view costs one cache read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.core.cache import cache

from catalog.models import (
    Consent,
    Contract,
    ContributionRecord,
    MarketNote,
    Partner,
    Party,
    Recording,
    Release,
    ToolTerms,
    Work,
)
from catalog.selectors import risks
from catalog.services.entities import PANEL_CACHE_KEY
from optout.models import Label

CACHE_SECONDS = 300


@dataclass(frozen=True)
class CatalogSummary:
    recordings: int
    releases: int
    works: int
    parties: int
    partners: int
    contracts: int
    consents: int
    contribution_records: int
    tool_terms: int
    market_notes: int
    silent_sublicensing: int
    voice_not_covered: int
    partners_at_risk: int

    @property
    def by_entity(self) -> dict[str, int]:
        """The count of each kind of record, by its key in ``catalog.entities.ENTITIES``."""
        return {
            "recording": self.recordings,
            "release": self.releases,
            "work": self.works,
            "party": self.parties,
            "partner": self.partners,
            "contract": self.contracts,
            "consent": self.consents,
            "contribution": self.contribution_records,
            "toolterm": self.tool_terms,
            "marketnote": self.market_notes,
        }


def catalog_summary(*, label: Label) -> CatalogSummary:
    key = PANEL_CACHE_KEY.format(label_id=label.pk)
    cached = cache.get(key)
    if isinstance(cached, dict):
        try:
            return CatalogSummary(**cached)
        except TypeError:
            pass
    summary = CatalogSummary(
        recordings=Recording.objects.for_label(label).count(),
        releases=Release.objects.for_label(label).count(),
        works=Work.objects.for_label(label).count(),
        parties=Party.objects.for_label(label).count(),
        partners=Partner.objects.for_label(label).count(),
        contracts=Contract.objects.for_label(label).count(),
        consents=Consent.objects.for_label(label).count(),
        contribution_records=ContributionRecord.objects.for_label(label).count(),
        tool_terms=ToolTerms.objects.for_label(label).count(),
        market_notes=MarketNote.objects.for_label(label).count(),
        silent_sublicensing=risks.contracts_silent_sublicensing(label=label).count(),
        voice_not_covered=risks.recordings_voice_not_covered(label=label).count(),
        partners_at_risk=risks.partners_at_risk(label=label).count(),
    )
    cache.set(key, asdict(summary), CACHE_SECONDS)
    return summary
