"""The audio library for masters: probe files, hash their audio payload and write
rights-tagged copies. Model-free: no database, Django settings are read when configured.

Public API (all keyword-only where it matters, all raising :class:`BadAudio` for any file
they cannot handle):

* :func:`probe` / :func:`probe_many` → :class:`AudioInfo` — format from magic bytes, codec,
  sample rate, channels, bit depth, duration, bitrate, existing tags with their raw ids,
  BWF ``bext`` and iXML, notes about anything odd. Runs in a sandboxed subprocess.
* :func:`payload_sha256` — the SHA-256 of the audio payload only, streamed with constant
  memory; equal for a file and its tagged copy.
* :func:`write_tagged_copy` with a :class:`RightsMetadata` → :class:`TaggedCopy` — a new
  file with ISRC, ISWC, title, artist, ℗/© lines, rights holder and contact, terms URL and
  the reservation note in the tags each format supports, saying which field went where.

docs/audio.md describes the formats, the tags written, the payload definitions and limits.
The names are imported on first use so that the sandboxed process, which imports this
package, does not load Django.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.audio.api import probe, probe_many, write_tagged_copy
    from catalog.audio.errors import BadAudio
    from catalog.audio.metadata import RightsMetadata, RightsMetadataError
    from catalog.audio.payload import payload_sha256
    from catalog.audio.results import AudioInfo, Note, Omission, Placement, TaggedCopy

__all__ = [
    "AudioInfo",
    "BadAudio",
    "Note",
    "Omission",
    "Placement",
    "RightsMetadata",
    "RightsMetadataError",
    "TaggedCopy",
    "payload_sha256",
    "probe",
    "probe_many",
    "write_tagged_copy",
]

_HOMES = {
    "probe": "api",
    "probe_many": "api",
    "write_tagged_copy": "api",
    "BadAudio": "errors",
    "RightsMetadata": "metadata",
    "RightsMetadataError": "metadata",
    "payload_sha256": "payload",
    "AudioInfo": "results",
    "Note": "results",
    "Omission": "results",
    "Placement": "results",
    "TaggedCopy": "results",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
