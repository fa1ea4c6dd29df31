"""Monitoring's models, one module per capability."""

from monitoring.models.controls import (
    ControlSettings,
    LabelPlatformControl,
    PlatformControlCheck,
)
from monitoring.models.crawler_logs import CrawlerLog, CrawlerLogAgent
from monitoring.models.fingerprints import (
    Fingerprint,
    FingerprintIndexChange,
    FingerprintIndexState,
    Suspect,
    SuspectLead,
    SuspectMatch,
)
from monitoring.models.reports import FanReport, FanReportGroup, ReportKind
from monitoring.models.watches import TermsLanguage, Watch, WatchCheck, WatchPurpose

__all__ = [
    "ControlSettings",
    "CrawlerLog",
    "CrawlerLogAgent",
    "FanReport",
    "FanReportGroup",
    "Fingerprint",
    "FingerprintIndexChange",
    "FingerprintIndexState",
    "LabelPlatformControl",
    "PlatformControlCheck",
    "ReportKind",
    "Suspect",
    "SuspectLead",
    "SuspectMatch",
    "TermsLanguage",
    "Watch",
    "WatchCheck",
    "WatchPurpose",
]
