"""Media types from magic bytes (libmagic), never from a file name or a client's claim."""

from __future__ import annotations

import magic

OCTET_STREAM = "application/octet-stream"

# libmagic names some audio types by their legacy x- forms; keep one spelling each.
_CANONICAL = {
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/x-aiff": "audio/aiff",
    "audio/x-flac": "audio/flac",
    "audio/x-m4a": "audio/mp4",
    "audio/x-hx-aac-adts": "audio/aac",
}


def sniff(head: bytes) -> str:
    """The media type of a file from its first bytes (64 KiB is plenty)."""
    if not head:
        return OCTET_STREAM
    # RF64 (WAV over 4 GiB) is not in every libmagic release.
    if head[:4] in (b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return "audio/wav"
    try:
        found = magic.from_buffer(head, mime=True)
    except magic.MagicException:
        return OCTET_STREAM
    if not found or "/" not in found:
        return OCTET_STREAM
    return _CANONICAL.get(found, found)
