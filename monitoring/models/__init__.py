"""Monitoring's models, one module per capability."""

from monitoring.models.controls import (
    ControlSettings,
    LabelPlatformControl,
    PlatformControlCheck,
)
from monitoring.models.crawler_logs import CrawlerLog, CrawlerLogAgent
from monitoring.models.fingerprints import Fingerprint, Suspect, SuspectMatch

__all__ = [
    "ControlSettings",
    "CrawlerLog",
    "CrawlerLogAgent",
    "Fingerprint",
    "LabelPlatformControl",
    "PlatformControlCheck",
    "Suspect",
    "SuspectMatch",
]
