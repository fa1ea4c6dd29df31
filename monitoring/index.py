"""Matching raw Chromaprint sub-fingerprints against a label's references, in numpy.

The index is inverted: each sub-fingerprint value, masked to its top ``KEY_BITS`` bits (so
a few bit errors in the low bits still meet), maps to the places it occurs. Places are
positions in one flat uint32 array holding every reference's values end to end. The
postings are stored in compressed-row form: ``offsets[key]:offsets[key + 1]`` slices one
uint32 array of places sorted by key. Memory is about 8 bytes a sub-fingerprint (4 for the
value, 4 for its posting) plus a fixed 4 MiB of offsets.

A query gathers the postings of its keys, votes on (reference, frame delta) with
``np.unique``, and checks the ``CANDIDATES`` best-voted alignments bit by bit: the
bit-error rate (popcount of XOR) of each aligned frame, and the longest stretch where a
sliding window stays below ``MAX_BER``. A stretch of at least ``MIN_SECONDS`` whose own rate
is below ``MATCH_BER`` is a match.

Values shared by very many places (silence, a held chord) carry no information and would
cost the most time: a key with more than ``cap`` places (``MAX_POSTINGS``, or
``CAP_FACTOR`` times the mean for big indexes) keeps no postings at all.

No Django: a ``ReferenceIndex`` is built from (key, values) pairs or from arrays and is
read-only afterwards, so one per label can live in each worker process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitoring.audio import FRAME_SECONDS

KEY_BITS = 20
MAX_POSTINGS = 200
CAP_FACTOR = 16
"""A key is common when it has more than this many times the mean number of places."""
MAX_BER = 0.35
"""A window of the stretch stays below this bit-error rate."""
MATCH_BER = 0.30
"""The whole stretch must stay below this one. Copies measured in the benchmark stay under
0.18 even 0.25 % off the speed searched; chance alignments of other tracks that creep
under MAX_BER for 10 s come out near 0.35 over their stretch."""
MIN_SECONDS = 10.0
WINDOW = 40
"""Frames (about 5 s) over which the bit-error rate is judged when finding the stretch."""
CANDIDATES = 8
MIN_VOTES = 3

_SHIFT = 32 - KEY_BITS

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Hit:
    key: int
    """The reference's key (whatever the caller built the index with)."""
    votes: int
    query_offset: float
    """Seconds into the query where the matched stretch starts."""
    reference_offset: float
    """Seconds into the reference where it starts."""
    length: float
    ber: float
    """Bit-error rate over the stretch: 0 is identical, about 0.5 is unrelated audio."""


def as_values(values: Sequence[int] | bytes | U32) -> U32:
    """Sub-fingerprints as a uint32 array (bytes are the stored little-endian form)."""
    if isinstance(values, bytes | bytearray | memoryview):
        return np.frombuffer(bytes(values), dtype="<u4").astype(np.uint32, copy=False)
    return np.asarray(values, dtype=np.uint32)


class ReferenceIndex:
    def __init__(self, references: Iterable[tuple[int, Sequence[int] | bytes | U32]] = ()) -> None:
        keys: list[int] = []
        parts: list[U32] = []
        for key, values in references:
            keys.append(key)
            parts.append(as_values(values))
        lengths = np.array([len(p) for p in parts], dtype=np.int64)
        values = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint32)
        self._build(np.array(keys, dtype=np.int64), values, lengths)

    @classmethod
    def from_arrays(cls, keys: I64, values: U32, lengths: I64) -> ReferenceIndex:
        """An index over ``values`` (every reference end to end, ``lengths`` each)."""
        index = cls.__new__(cls)
        index._build(keys, values, lengths)
        return index

    def _build(self, keys: I64, values: U32, lengths: I64) -> None:
        if len(values) >= 1 << 32:
            raise ValueError("An index holds fewer than 2**32 sub-fingerprints.")
        self.keys = keys
        self.values = values
        self.starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.starts[1:])
        hashed = values >> np.uint32(_SHIFT)
        counts = np.bincount(hashed, minlength=1 << KEY_BITS)
        self.cap = max(MAX_POSTINGS, CAP_FACTOR * len(values) // (1 << KEY_BITS))
        common = counts > self.cap
        self.dropped = int(np.count_nonzero(common))
        counts[common] = 0
        kept = np.arange(len(values), dtype=np.uint32)[~common[hashed]]
        # Sorting the packed (key, place) pairs is one fast radix-free sort of uint64; the
        # places of a key come out in order.
        packed = (hashed[kept].astype(np.uint64) << np.uint64(32)) | kept
        del kept, hashed
        packed.sort()
        self.postings = (packed & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        del packed
        self.offsets = np.zeros((1 << KEY_BITS) + 1, dtype=np.uint32)
        np.cumsum(counts, out=self.offsets[1:])

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def frames(self) -> int:
        return len(self.values)

    @property
    def nbytes(self) -> int:
        """Memory the index holds (its arrays)."""
        return sum(
            a.nbytes for a in (self.keys, self.values, self.starts, self.postings, self.offsets)
        )

    def search(self, query: Sequence[int] | U32) -> list[Hit]:
        """Every reference ``query`` holds a copy of (best first), one hit per reference."""
        q = as_values(query)
        if len(q) == 0 or len(self.keys) == 0:
            return []
        hashed = q >> np.uint32(_SHIFT)
        lo = self.offsets[hashed].astype(np.int64)
        sizes = self.offsets[hashed + 1].astype(np.int64) - lo
        total = int(sizes.sum())
        if total == 0:
            return []
        # Indices of every posting of every query frame, without a Python loop.
        firsts = np.cumsum(sizes) - sizes
        gather = np.arange(total, dtype=np.int64) + np.repeat(lo - firsts, sizes)
        places = self.postings[gather].astype(np.int64)
        # Where frame 0 of the query sits in the flat array of all references: one number
        # per (reference, delta), so the votes need no reference lookup per posting.
        aligned = places - np.repeat(np.arange(len(q), dtype=np.int64), sizes)
        votes, counts = np.unique(aligned, return_counts=True)
        top = min(CANDIDATES, len(votes))
        best_first = np.argpartition(-counts, top - 1)[:top]
        best_first = best_first[np.argsort(-counts[best_first], kind="stable")]
        best: dict[int, Hit] = {}
        for slot in best_first:
            count = int(counts[slot])
            if count < MIN_VOTES:
                break
            # The reference is the one a voting posting lies in (frame 0 of the query may
            # sit before its start, when the copy starts later in the query).
            place = int(places[np.argmax(aligned == votes[slot])])
            track = int(np.searchsorted(self.starts, place, side="right")) - 1
            delta = int(votes[slot]) - int(self.starts[track])
            reference = self.values[self.starts[track] : self.starts[track + 1]]
            key = int(self.keys[track])
            hit = confirm(q, reference, delta, key=key, votes=count)
            if hit is not None and (key not in best or hit.ber < best[key].ber):
                best[key] = hit
        return sorted(best.values(), key=lambda hit: (hit.ber, -hit.length))


def confirm(query: U32, reference: U32, delta: int, *, key: int, votes: int) -> Hit | None:
    """The longest stretch where ``query`` aligned at ``delta`` stays below MAX_BER."""
    start = max(0, -delta)
    stop = min(len(query), len(reference) - delta)
    if stop - start < WINDOW:
        return None
    errors = np.bitwise_count(query[start:stop] ^ reference[start + delta : stop + delta])
    sums = np.concatenate(([0], np.cumsum(errors, dtype=np.int64)))
    windows = sums[WINDOW:] - sums[:-WINDOW]
    good = windows < MAX_BER * 32 * WINDOW
    if not good.any():
        return None
    # The longest run of good windows; the stretch covers the frames of those windows.
    edges = np.flatnonzero(np.diff(np.concatenate(([0], good.astype(np.int8), [0]))))
    runs_start, runs_stop = edges[0::2], edges[1::2]
    longest = int(np.argmax(runs_stop - runs_start))
    best_start = int(runs_start[longest])
    frames = int(runs_stop[longest] - runs_start[longest]) + WINDOW - 1
    if frames * FRAME_SECONDS < MIN_SECONDS:
        return None
    wrong = int(sums[best_start + frames] - sums[best_start])
    if wrong > MATCH_BER * 32 * frames:
        return None
    first = start + best_start
    return Hit(
        key=key,
        votes=votes,
        query_offset=round(first * FRAME_SECONDS, 2),
        reference_offset=round((first + delta) * FRAME_SECONDS, 2),
        length=round(frames * FRAME_SECONDS, 2),
        ber=round(wrong / (32 * frames), 4),
    )
