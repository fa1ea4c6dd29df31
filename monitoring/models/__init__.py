"""Monitoring's models, one module per capability."""

from monitoring.models.fingerprints import (
    Fingerprint,
    FingerprintIndexState,
    Suspect,
    SuspectLead,
    SuspectMatch,
)
from monitoring.models.reports import FanReport, FanReportGroup, ReportKind
from monitoring.models.watches import TermsLanguage, Watch, WatchCheck, WatchPurpose

__all__ = [
    "FanReport",
    "FanReportGroup",
    "Fingerprint",
    "FingerprintIndexState",
    "ReportKind",
    "Suspect",
    "SuspectLead",
    "SuspectMatch",
    "TermsLanguage",
    "Watch",
    "WatchCheck",
    "WatchPurpose",
]
