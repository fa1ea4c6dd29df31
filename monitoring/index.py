"""Matching raw Chromaprint sub-fingerprints against a label's references.

The index is inverted: each sub-fingerprint value (its top ``KEY_BITS`` bits, so a few bit
errors in the low bits still meet) maps to the (track, frame) places it occurs. A query
votes on (track, frame delta) with each of its values; the few best-voted alignments are
then checked bit by bit: the bit-error rate (popcount of XOR) of each aligned frame, and
the longest stretch where a sliding window stays below ``MAX_BER``. A stretch of at least
``MIN_SECONDS`` is a match.

Values shared by very many places (silence, a held chord) carry no information and would
cost the most time; their posting lists are dropped beyond ``MAX_POSTINGS``.

Pure Python, no Django: a ``ReferenceIndex`` is built from (key, values) pairs and is
read-only afterwards, so one per label can live in each worker process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitoring.audio import FRAME_SECONDS

KEY_BITS = 20
MAX_POSTINGS = 200
MAX_BER = 0.35
MIN_SECONDS = 10.0
WINDOW = 40
"""Frames (about 5 s) over which the bit-error rate is judged when finding the stretch."""
CANDIDATES = 8
MIN_VOTES = 3

_SHIFT = 32 - KEY_BITS
_OFFSET_BITS = 20


@dataclass(frozen=True)
class Hit:
    key: str
    """The reference's key (whatever the caller built the index with)."""
    votes: int
    query_offset: float
    """Seconds into the query where the matched stretch starts."""
    reference_offset: float
    """Seconds into the reference where it starts."""
    length: float
    ber: float
    """Bit-error rate over the stretch: 0 is identical, about 0.5 is unrelated audio."""


class ReferenceIndex:
    def __init__(self, references: Iterable[tuple[str, Sequence[int]]]) -> None:
        self.keys: list[str] = []
        self.values: list[Sequence[int]] = []
        postings: dict[int, list[int]] = {}
        for key, values in references:
            track = len(self.keys)
            self.keys.append(key)
            self.values.append(values)
            for frame, value in enumerate(values):
                postings.setdefault(value >> _SHIFT, []).append(track << _OFFSET_BITS | frame)
        self.postings = {k: v for k, v in postings.items() if len(v) <= MAX_POSTINGS}
        self.dropped = len(postings) - len(self.postings)

    def __len__(self) -> int:
        return len(self.keys)

    def search(self, query: Sequence[int]) -> list[Hit]:
        """Every reference ``query`` holds a copy of (best first), one hit per reference."""
        votes: Counter[tuple[int, int]] = Counter()
        mask = (1 << _OFFSET_BITS) - 1
        for position, value in enumerate(query):
            for place in self.postings.get(value >> _SHIFT, ()):
                votes[(place >> _OFFSET_BITS, (place & mask) - position)] += 1
        best: dict[str, Hit] = {}
        for (track, delta), count in votes.most_common(CANDIDATES):
            if count < MIN_VOTES:
                break
            hit = _confirm(query, self.values[track], delta, key=self.keys[track], votes=count)
            if hit is not None and (hit.key not in best or hit.ber < best[hit.key].ber):
                best[hit.key] = hit
        return sorted(best.values(), key=lambda hit: (hit.ber, -hit.length))


def _confirm(
    query: Sequence[int], reference: Sequence[int], delta: int, *, key: str, votes: int
) -> Hit | None:
    """The longest stretch where ``query`` aligned at ``delta`` stays below MAX_BER."""
    start = max(0, -delta)
    stop = min(len(query), len(reference) - delta)
    errors = [(query[i] ^ reference[i + delta]).bit_count() for i in range(start, stop)]
    if len(errors) < WINDOW:
        return None
    limit = MAX_BER * 32 * WINDOW
    window = sum(errors[:WINDOW])
    good = [window < limit]
    for i in range(WINDOW, len(errors)):
        window += errors[i] - errors[i - WINDOW]
        good.append(window < limit)
    # The longest run of good windows; the stretch covers the frames of those windows.
    run_start, best_start, best_len = 0, 0, 0
    for i, ok in enumerate([*good, False]):
        if not ok:
            if i - run_start > best_len:
                best_start, best_len = run_start, i - run_start
            run_start = i + 1
    if best_len == 0:
        return None
    frames = best_len + WINDOW - 1
    if frames * FRAME_SECONDS < MIN_SECONDS:
        return None
    stretch = errors[best_start : best_start + frames]
    first = start + best_start
    return Hit(
        key=key,
        votes=votes,
        query_offset=round(first * FRAME_SECONDS, 2),
        reference_offset=round((first + delta) * FRAME_SECONDS, 2),
        length=round(frames * FRAME_SECONDS, 2),
        ber=round(sum(stretch) / (32 * frames), 4),
    )
