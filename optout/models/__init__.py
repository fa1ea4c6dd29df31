"""Models of the core app. Each sub-module holds one concern; import from here."""

from __future__ import annotations

from optout.models.base import (
    LabelOwnedModel,
    LabelScopedManager,
    LabelScopedQuerySet,
    UnscopedQueryError,
)
from optout.models.blobs import Blob, blob_storage_name
from optout.models.coverage import CoverageSnapshot, CoverageState, RecordingCoverage
from optout.models.jobs import Job
from optout.models.labels import Invitation, Label, LabelDomain, Membership
from optout.models.ledger import GENESIS_HASH, LedgerAnchor, LedgerEntry, LedgerHead
from optout.models.tokens import ApiToken
from optout.models.users import User

__all__ = [
    "GENESIS_HASH",
    "ApiToken",
    "Blob",
    "CoverageSnapshot",
    "CoverageState",
    "Invitation",
    "Job",
    "Label",
    "LabelDomain",
    "LabelOwnedModel",
    "LabelScopedManager",
    "LabelScopedQuerySet",
    "LedgerAnchor",
    "LedgerEntry",
    "LedgerHead",
    "Membership",
    "RecordingCoverage",
    "UnscopedQueryError",
    "User",
    "blob_storage_name",
]
