"""Monitoring's models, one module per capability."""

from monitoring.models.fingerprints import Fingerprint, Suspect, SuspectMatch

__all__ = ["Fingerprint", "Suspect", "SuspectMatch"]
