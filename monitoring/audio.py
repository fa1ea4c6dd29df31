"""Chromaprint over a whole file: ffmpeg decodes to 16-bit mono PCM, libchromaprint (through
pyacoustid's ``chromaprint`` module) turns it into raw 32-bit sub-fingerprints.

No Django here: the services call it with a local path. ``fpcalc`` is not used (it exits 3
at the end of every file, see docs/monitoring.md). A file ffmpeg cannot decode, or one too
short to fingerprint, raises ``UnreadableAudio`` with a sentence for the user.
"""

from __future__ import annotations

import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import chromaprint
import numpy as np
from django.utils.translation import gettext as _

from monitoring.chroma import chroma
from monitoring.chroma import pack as pack_chroma

SAMPLE_RATE = 11025
"""Chromaprint resamples everything to 11025 Hz itself; decoding straight to it is cheaper."""
ALGORITHM = chromaprint.Fingerprinter.ALGORITHM_DEFAULT
FRAME_SECONDS = 4096 / 3 / SAMPLE_RATE
"""Time between two sub-fingerprints (a 4096-sample window, two-thirds overlap): 0.124 s."""
MIN_SECONDS = 5.0
_DECODE_TIMEOUT = 300


class UnreadableAudio(ValueError):
    """The file does not decode as audio, or holds too little of it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Print:
    values: list[int]
    """Raw sub-fingerprints, unsigned 32-bit."""
    duration_ms: int


def decode(path: Path, *, rate: float = 1.0) -> bytes:
    """The file as 16-bit mono PCM at ``SAMPLE_RATE``; ``rate`` != 1 plays it that much
    faster (pitch and tempo together, as a resampled copy would be) before fingerprinting."""
    # Resample first: asetrate relabels whatever rate reaches it.
    chain = f"aresample={SAMPLE_RATE},asetrate={SAMPLE_RATE * rate:.3f},aresample={SAMPLE_RATE}"
    filters = ["-af", chain]
    command = [
        "ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-i", str(path), "-vn",
        "-ac", "1", "-ar", str(SAMPLE_RATE), *(filters if rate != 1.0 else []),
        "-f", "s16le", "-acodec", "pcm_s16le", "-",
    ]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv; the path is a blob path of ours
            command, capture_output=True, timeout=_DECODE_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise UnreadableAudio(_("Decoding the file took too long.")) from None
    if done.returncode != 0 or not done.stdout:
        raise UnreadableAudio(_("The file could not be decoded as audio."))
    return done.stdout


def fingerprint_pcm(pcm: bytes) -> Print:
    """Chromaprint's raw sub-fingerprints of ``pcm`` (16-bit mono at ``SAMPLE_RATE``)."""
    seconds = len(pcm) / 2 / SAMPLE_RATE
    if seconds < MIN_SECONDS:
        raise UnreadableAudio(
            _("The file holds %(seconds).1f s of audio; at least %(least)d s are needed.")
            % {"seconds": seconds, "least": MIN_SECONDS}
        )
    printer = chromaprint.Fingerprinter(ALGORITHM)
    printer.start(SAMPLE_RATE, 1)
    printer.feed(pcm)
    values, _algorithm = chromaprint.decode_fingerprint(printer.finish())
    return Print(values=[v & 0xFFFFFFFF for v in values], duration_ms=round(seconds * 1000))


def fingerprint_file(path: Path, *, rate: float = 1.0) -> Print:
    return fingerprint_pcm(decode(path, rate=rate))


ENVELOPE_POINTS = 600


def envelope(pcm: bytes, *, points: int = ENVELOPE_POINTS) -> bytes:
    """The waveform the pages draw: the peak level of ``points`` equal slices, 0-255."""
    samples = np.abs(np.frombuffer(pcm, dtype="<i2").astype(np.int32))
    if len(samples) == 0:
        return b""
    edges = np.linspace(0, len(samples), points + 1).astype(np.int64)
    edges = np.minimum(edges, len(samples) - 1)
    peaks = np.maximum.reduceat(samples, edges[:-1])
    return (np.minimum(peaks, 32767) * 255 // 32767).astype(np.uint8).tobytes()


@dataclass(frozen=True)
class Analysis:
    print: Print
    chroma: bytes
    """``monitoring.chroma.pack`` of the pitch-class frames."""
    envelope: bytes


def analyse_file(path: Path) -> Analysis:
    """One decode of the file for its fingerprint, its chroma and its waveform."""
    pcm = decode(path)
    found = fingerprint_pcm(pcm)
    return Analysis(print=found, chroma=pack_chroma(chroma(pcm)), envelope=envelope(pcm))


def pack(values: list[int]) -> bytes:
    """Sub-fingerprints as little-endian uint32, the way they are stored."""
    return struct.pack(f"<{len(values)}I", *values)


def unpack(data: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(data) // 4}I", data))
