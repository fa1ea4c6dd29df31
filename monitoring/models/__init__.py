"""Monitoring's models, one module per capability."""

from monitoring.models.fingerprints import (
    Fingerprint,
    FingerprintIndexState,
    Suspect,
    SuspectLead,
    SuspectMatch,
)

__all__ = ["Fingerprint", "FingerprintIndexState", "Suspect", "SuspectLead", "SuspectMatch"]
