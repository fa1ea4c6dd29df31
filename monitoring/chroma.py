"""Soundalike leads: melody and harmony similarity from chroma features, in numpy.

A fingerprint only finds copies of the same recording. A cover, a re-recording or a
re-generation of a catalog melody shares the composition instead: the same notes in the
same order, perhaps in another key, at another tempo, played with other sounds. Chroma
describes that: for each short frame, how much energy falls in each of the 12 pitch
classes, octave and timbre folded away.

* ``chroma(pcm)``: a short-time Fourier transform (4096-sample Hann windows at 11,025 Hz,
  hop 1024), each bin between 55 Hz and 2 kHz folded onto its pitch class, frames averaged
  in blocks to ``FRAME_SECONDS`` (no beat tracking), log-compressed and normalised.
* ``compare(suspect, master)``: the key-invariant, time-aligned cross-similarity. For each
  of the 12 circular shifts of the suspect's pitch classes and a few tempo ratios (the
  suspect resampled in time), the cosine similarity of every suspect frame with every
  master frame; the best diagonal stretch of ``STRETCH_SECONDS`` (a mean over aligned
  frames) is the score. Matching a stretch, not the whole track, lets a 30 s excerpt of a
  cover rank its original.

librosa is not used: its numba JIT costs about 25 s on the first call in each process
(measured on this machine), which every worker would pay again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 11025
N_FFT = 4096
HOP = 1024
BLOCK = 6
"""STFT hops averaged into one chroma frame."""
FRAME_SECONDS = HOP * BLOCK / SAMPLE_RATE
"""About 0.56 s a chroma frame."""
LOWEST_HZ = 55.0
HIGHEST_HZ = 2000.0
STRETCH_SECONDS = 20.0
TEMPOS = (0.8, 0.87, 0.93, 1.0, 1.07, 1.15, 1.25)
"""The suspect's tempo against the master that are tried (a cover rarely keeps it)."""

F32 = npt.NDArray[np.float32]


def _pitch_map() -> npt.NDArray[np.int64]:
    freqs = np.fft.rfftfreq(N_FFT, 1 / SAMPLE_RATE)
    classes = np.full(len(freqs), -1, dtype=np.int64)
    band = (freqs >= LOWEST_HZ) & (freqs <= HIGHEST_HZ)
    # MIDI note 69 is A4 (440 Hz); C is pitch class 0.
    classes[band] = np.round(69 + 12 * np.log2(freqs[band] / 440.0)).astype(np.int64) % 12
    return classes


_CLASSES = _pitch_map()
_FOLD = np.zeros((len(_CLASSES), 12), dtype=np.float32)
_FOLD[_CLASSES >= 0, _CLASSES[_CLASSES >= 0]] = 1.0
_WINDOW = np.hanning(N_FFT).astype(np.float32)


def chroma(pcm: bytes) -> F32:
    """12 pitch-class levels per frame of ``FRAME_SECONDS`` (rows normalised to length 1)
    for 16-bit mono PCM at ``SAMPLE_RATE``."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    if len(samples) < N_FFT:
        return np.zeros((0, 12), dtype=np.float32)
    count = 1 + (len(samples) - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(
        samples, shape=(count, N_FFT), strides=(samples.strides[0] * HOP, samples.strides[0])
    )
    rows: list[F32] = []
    # In slices, so a long file never needs its whole spectrogram in memory.
    for first in range(0, count, 512):
        spectrum = np.abs(np.fft.rfft(frames[first : first + 512] * _WINDOW, axis=1))
        rows.append((spectrum.astype(np.float32) ** 2) @ _FOLD)
    energy = np.concatenate(rows)
    blocks = len(energy) // BLOCK
    if blocks == 0:
        return np.zeros((0, 12), dtype=np.float32)
    pooled = energy[: blocks * BLOCK].reshape(blocks, BLOCK, 12).mean(axis=1)
    compressed: F32 = np.log1p(1000 * pooled / (pooled.max() or 1.0)).astype(np.float32)
    return _normalise(compressed)


def _normalise(matrix: F32) -> F32:
    # Remove each frame's floor so a loud noise bed does not make every frame alike.
    centred = matrix - matrix.min(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    result: F32 = (centred / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return result


def pack(matrix: F32) -> bytes:
    return matrix.astype("<f2").tobytes()


def unpack(data: bytes) -> F32:
    return np.frombuffer(bytes(data), dtype="<f2").astype(np.float32).reshape(-1, 12)


@dataclass(frozen=True)
class Likeness:
    score: float
    """Mean cosine similarity of the aligned frames, 0 to 1."""
    transpose: int
    """Semitones the suspect is above the master (-5 to 6)."""
    tempo: float
    """The suspect's tempo against the master (1.1 = 10 % faster)."""
    suspect_offset: float
    master_offset: float
    length: float


def _stretch(suspect: F32, tempo: float) -> F32:
    """The suspect's frames resampled in time as if it were played at the master's tempo."""
    count = round(len(suspect) * tempo)
    if count < 2:
        return suspect
    where = np.linspace(0, len(suspect) - 1, count)
    low = np.floor(where).astype(np.int64)
    high = np.minimum(low + 1, len(suspect) - 1)
    part = (where - low)[:, None].astype(np.float32)
    return _normalise((1 - part) * suspect[low] + part * suspect[high])


def compare(suspect: F32, master: F32) -> Likeness | None:
    """The best key-shifted, tempo-adjusted, time-aligned stretch shared by the two."""
    window = int(STRETCH_SECONDS / FRAME_SECONDS)
    best: Likeness | None = None
    for tempo in TEMPOS:
        stretched = _stretch(suspect, tempo)
        length = min(window, len(stretched), len(master))
        if length < window // 2:
            continue
        for shift in range(12):
            # Rolling the suspect's pitch classes down by ``shift`` undoes a transposition
            # up by ``shift`` semitones.
            similarity = np.roll(stretched, -shift, axis=1) @ master.T
            score, s_at, m_at = _best_diagonal(similarity, length)
            if best is None or score > best.score:
                best = Likeness(
                    score=round(score, 4),
                    transpose=shift if shift <= 6 else shift - 12,
                    tempo=tempo,
                    suspect_offset=round(s_at * FRAME_SECONDS / tempo, 2),
                    master_offset=round(m_at * FRAME_SECONDS, 2),
                    length=round(length * FRAME_SECONDS, 2),
                )
    return best


def _best_diagonal(similarity: F32, length: int) -> tuple[float, int, int]:
    """The highest mean over ``length`` consecutive cells of any diagonal (suspect frame i
    with master frame i + lag), and where it starts."""
    rows, cols = similarity.shape
    # Skew the matrix so each diagonal becomes a column: cell (i, lag) = S[i, i + lag].
    lags = np.arange(-(rows - 1), cols)
    index = np.arange(rows)[:, None] + lags[None, :]
    valid = (index >= 0) & (index < cols)
    skewed = np.where(valid, similarity[np.arange(rows)[:, None], np.clip(index, 0, cols - 1)], 0)
    sums = np.concatenate((np.zeros((1, len(lags)), np.float32), np.cumsum(skewed, axis=0)))
    windows = sums[length:] - sums[:-length]
    flat = int(np.argmax(windows))
    start, lag_slot = divmod(flat, len(lags))
    lag = int(lags[lag_slot])
    return float(windows[start, lag_slot]) / length, start, start + lag


PREFILTER = 200
"""Masters compared in full; the rest are ruled out by their pitch-class profile."""


def profile(matrix: F32) -> F32:
    """The mean pitch-class profile (length 1): what a key-invariant prefilter compares."""
    mean = matrix.mean(axis=0) if len(matrix) else np.zeros(12, np.float32)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm else mean).astype(np.float32)


def rank(suspect: F32, masters: list[tuple[int, F32]], *, top: int) -> list[tuple[int, Likeness]]:
    """The ``top`` masters most like ``suspect``, best first. Above ``PREFILTER`` masters,
    only those whose profile (best of the 12 shifts) is closest are compared in full."""
    usable = [(key, matrix) for key, matrix in masters if len(matrix)]
    if len(suspect) == 0 or not usable:
        return []
    if len(usable) > PREFILTER:
        mine = profile(suspect)
        shifted = np.stack([np.roll(mine, -shift) for shift in range(12)])
        profiles = np.stack([profile(matrix) for _key, matrix in usable])
        closeness = (profiles @ shifted.T).max(axis=1)
        keep = np.argsort(-closeness)[:PREFILTER]
        usable = [usable[i] for i in keep]
    scored = []
    for key, matrix in usable:
        likeness = compare(suspect, matrix)
        if likeness is not None:
            scored.append((key, likeness))
    scored.sort(key=lambda item: -item[1].score)
    return scored[:top]
