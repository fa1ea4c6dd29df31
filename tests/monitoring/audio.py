"""Synthetic music for the fingerprint tests, made at test time: each track is a seeded
melody of notes of different pitches and lengths (two harmonics, plucked envelope), a bass
line, a drum-like noise pattern and a quiet noise bed; variants are made with sox and ffmpeg."""

from __future__ import annotations

import math
import random
import subprocess
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 22050


# Harmonic weights of each timbre: a plucked string (the originals) and a reedy organ
# whose odd harmonics dominate (the covers).
TIMBRES = {"pluck": (1.0, 0.4, 0.0, 0.0), "organ": (0.6, 0.1, 0.5, 0.25)}


def _note(
    out: npt.NDArray[np.float64],
    start: int,
    length: int,
    freq: float,
    gain: float,
    decay: float,
    timbre: str = "pluck",
) -> None:
    count = max(min(length, len(out) - start), 0)
    i = np.arange(count, dtype=np.float64)
    step = 2 * math.pi * freq / RATE
    tone = sum(w * np.sin((n + 1) * step * i) for n, w in enumerate(TIMBRES[timbre]) if w)
    out[start : start + count] += gain * np.exp(-decay * i / RATE) * tone


def synth_track(
    path: Path,
    *,
    seed: int,
    seconds: float = 75.0,
    transpose: int = 0,
    tempo: float = 1.0,
    timbre: str = "pluck",
    drums: bool = True,
) -> Path:
    """A distinct track for ``seed``: its own scale, tempo, melody, bass and drum pattern.

    ``transpose`` (semitones), ``tempo`` (1.1 = 10 % faster), ``timbre`` and ``drums`` make
    a re-recording of the same composition: the same notes in the same order (``seconds``
    is the original's length; the cover lasts ``seconds / tempo``), other sounds."""
    rng = random.Random(seed)
    total = int(seconds / tempo * RATE)
    out = np.zeros(total, dtype=np.float64)
    root = 196.0 * 2 ** ((rng.randrange(12) + transpose) / 12)
    scale = [0, 2, 3, 5, 7, 8, 10] if rng.random() < 0.5 else [0, 2, 4, 5, 7, 9, 11]
    beat = rng.uniform(0.35, 0.6) / tempo
    decay = 3.0 if timbre == "pluck" else 1.2
    at = 0
    while at < total:  # melody
        length = int(beat * rng.choice([0.5, 0.5, 1, 1, 1.5, 2]) * RATE)
        degree = rng.randrange(len(scale) * 2)
        freq = root * 2 ** ((scale[degree % 7] + 12 * (degree // 7)) / 12)
        _note(out, at, length, freq, 0.30, decay, timbre)
        at += length
    at = 0
    while at < total:  # bass, one note a bar of four beats
        length = int(4 * beat * RATE)
        bass = root / 2 * 2 ** (scale[rng.randrange(7)] / 12)
        _note(out, at, length, bass, 0.25 if drums else 0.15, 0.8, timbre)
        at += length
    pattern = [rng.random() < 0.6 for _ in range(8)]
    noise = np.random.default_rng(seed * 7919)
    step = int(beat / 2 * RATE)
    burst = int(0.08 * RATE)
    shape = 0.35 * np.exp(-40 * np.arange(burst) / RATE)
    for hit, at in enumerate(range(0, total, step)):  # drums: decaying noise bursts
        if drums and pattern[hit % 8]:
            count = min(burst, total - at)
            out[at : at + count] += shape[:count] * noise.uniform(-1, 1, count)
    out += 0.02 * noise.uniform(-1, 1, total)  # the noise bed
    peak = float(np.abs(out).max()) or 1.0
    pcm = (32000 * out / peak).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(pcm.tobytes())
    return path


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


def ffmpeg(source: Path, target: Path, *args: str) -> Path:
    run("ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), *args, str(target))
    return target


def sox(source: Path, target: Path, *effects: str) -> Path:
    run("sox", str(source), str(target), *effects)
    return target


def with_noise(source: Path, target: Path, *, snr_db: float) -> Path:
    """``source`` with white noise mixed in ``snr_db`` below the signal's RMS level."""
    stats = subprocess.run(
        ["sox", str(source), "-n", "stat"], capture_output=True, text=True, check=True
    ).stderr
    rms = float(
        next(line for line in stats.splitlines() if "RMS     amplitude" in line).split()[-1]
    )
    noise = target.with_suffix(".noise.wav")
    seconds = float(
        subprocess.run(
            ["soxi", "-D", str(source)], capture_output=True, text=True, check=True
        ).stdout
    )
    # White noise from sox has RMS = amplitude / sqrt(3).
    amplitude = rms * 10 ** (-snr_db / 20) * math.sqrt(3)
    info = subprocess.run(["soxi", str(source)], capture_output=True, text=True, check=True).stdout
    rate = next(line for line in info.splitlines() if line.startswith("Sample Rate"))
    channels = next(line for line in info.splitlines() if line.startswith("Channels"))
    run("sox", "-n", "-r", rate.split()[-1], "-c", channels.split()[-1], str(noise), "synth",
        f"{seconds}", "whitenoise", "vol", f"{amplitude}")  # fmt: skip
    run("sox", "-m", str(source), str(noise), str(target))
    return target
