"""The tests' one builder of PCM WAV files (real formats, from sox and ffmpeg, are made in
tests/catalog/audio/conftest.py).

The header is the canonical 44-byte one that Python's ``wave`` module writes; the frames are
given, a sine tone, random noise, or (for files of many megabytes) a sparse hole that reads
as silence without using the disk.
"""

from __future__ import annotations

import math
import os
import struct
from pathlib import Path
from typing import Literal

HEADER_SIZE = 44


def wav_header(data_size: int, *, channels: int = 2, rate: int = 48000, bits: int = 16) -> bytes:
    """The RIFF/WAVE header of a PCM file whose ``data`` chunk holds ``data_size`` bytes."""
    block = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", HEADER_SIZE - 8 + data_size)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
        + b"data"
        + struct.pack("<I", data_size)
    )


def wav_bytes(frames: bytes, *, channels: int = 1, rate: int = 8000, bits: int = 16) -> bytes:
    """A whole WAV file holding ``frames`` (mono 16-bit 8 kHz unless told otherwise)."""
    return wav_header(len(frames), channels=channels, rate=rate, bits=bits) + frames


def tone(*, seconds: float = 1.0, rate: int = 8000, hertz: float = 440.0) -> bytes:
    """Mono 16-bit frames of a sine wave."""
    count = int(seconds * rate)
    return b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * hertz * i / rate)))
        for i in range(count)
    )


def write_wav(
    path: Path,
    *,
    size: int,
    fill: Literal["noise", "sparse"] = "noise",
    channels: int = 2,
    rate: int = 48000,
) -> Path:
    """A 16-bit WAV file of ``size`` bytes in all: random noise written in 1 MiB steps (so a
    file of gigabytes never sits in memory), or a sparse file that reads as zeros."""
    data_size = size - HEADER_SIZE
    with path.open("wb") as out:
        out.write(wav_header(data_size, channels=channels, rate=rate))
        if fill == "sparse":
            out.truncate(size)
            return path
        left = data_size
        while left:
            step = min(left, 1024 * 1024)
            out.write(os.urandom(step))
            left -= step
    return path
