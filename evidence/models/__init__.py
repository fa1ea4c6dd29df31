"""Models of the evidence app. Each sub-module holds one concern; import from here."""

from __future__ import annotations

from evidence.models.alert_preferences import AlertDelivery, AlertDigest, AlertPreference
from evidence.models.alerts import Alert
from evidence.models.base import Withdrawable, WithdrawableManager, WithdrawableQuerySet
from evidence.models.captures import Capture, CapturePurpose, CaptureSchedule
from evidence.models.items import EvidenceItem, EvidenceKind
from evidence.models.links import (
    EvidenceItemRecording,
    EvidenceItemWork,
    MatterRecording,
    MatterWork,
)
from evidence.models.matters import Matter, MatterItem, MatterNote, MatterStatus
from evidence.models.packets import Packet
from evidence.models.settings import EvidenceSettings
from evidence.models.timestamps import Timestamp

__all__ = [
    "Alert",
    "AlertDelivery",
    "AlertDigest",
    "AlertPreference",
    "Capture",
    "CapturePurpose",
    "CaptureSchedule",
    "EvidenceItem",
    "EvidenceItemRecording",
    "EvidenceItemWork",
    "EvidenceKind",
    "EvidenceSettings",
    "Matter",
    "MatterItem",
    "MatterNote",
    "MatterRecording",
    "MatterStatus",
    "MatterWork",
    "Packet",
    "Timestamp",
    "Withdrawable",
    "WithdrawableManager",
    "WithdrawableQuerySet",
]
