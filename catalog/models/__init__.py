"""Models of the catalog. Each sub-module holds one concern; import from here.

Every model is label-owned (``optout.models.LabelOwnedModel``): querysets must be scoped
with ``.for_label(label)`` and every foreign key a user picks is looked up in the same
label (forms and serializers in this app do that).
"""

from __future__ import annotations

from catalog.models.choices import AIClause, AIDisclosure, PartyRole
from catalog.models.contracts import Contract
from catalog.models.documentation import Consent, ContributionRecord, MarketNote, ToolTerms
from catalog.models.imports import CatalogImport, CatalogSettings
from catalog.models.masters import Master, MasterTaggedCopy
from catalog.models.parties import Party
from catalog.models.partners import Partner, PartnerContact, PartnerRiskFlag
from catalog.models.recordings import Recording, RecordingPerformer
from catalog.models.releases import Release, ReleaseTrack
from catalog.models.resumable_uploads import ResumableUpload
from catalog.models.works import Work, WorkWriter

__all__ = [
    "AIClause",
    "AIDisclosure",
    "CatalogImport",
    "CatalogSettings",
    "Consent",
    "Contract",
    "ContributionRecord",
    "MarketNote",
    "Master",
    "MasterTaggedCopy",
    "Partner",
    "PartnerContact",
    "PartnerRiskFlag",
    "Party",
    "PartyRole",
    "Recording",
    "RecordingPerformer",
    "Release",
    "ReleaseTrack",
    "ResumableUpload",
    "ToolTerms",
    "Work",
    "WorkWriter",
]
