"""The in-memory index on its own: a copy is found at its offset, a stretch that only just
stays under the window's bit-error rate is not a match, and common values keep no postings."""

from __future__ import annotations

import numpy as np

from monitoring.audio import FRAME_SECONDS
from monitoring.index import MATCH_BER, ReferenceIndex

FRAMES = 800  # about 99 s


def _tracks(count: int, seed: int = 3) -> dict[int, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {key: rng.integers(0, 2**32, FRAMES, dtype=np.uint32) for key in range(count)}


def _flip_low_bits(values: np.ndarray, bits: int, seed: int = 5) -> np.ndarray:
    """``bits`` of the low 12 bits of every value flipped: the index keys (top 20 bits) all
    still meet, so only the bit-error check decides."""
    rng = np.random.default_rng(seed)
    flipped = values.copy()
    for frame in range(len(values)):
        for bit in rng.choice(12, size=bits, replace=False):
            flipped[frame] ^= np.uint32(1 << int(bit))
    return flipped


def test_a_copy_is_found_at_its_offset_in_the_reference() -> None:
    tracks = _tracks(20)
    index = ReferenceIndex(tracks.items())
    query = _flip_low_bits(tracks[7][300:540], bits=4)  # 30 s from 37 s in, BER 0.125
    hits = index.search(query)
    assert [hit.key for hit in hits] == [7]
    assert abs(hits[0].reference_offset - 300 * FRAME_SECONDS) < 0.2
    assert hits[0].query_offset == 0
    assert hits[0].ber == 0.125


def test_a_stretch_above_the_match_rate_is_not_a_match() -> None:
    tracks = _tracks(5)
    index = ReferenceIndex(tracks.items())
    close = _flip_low_bits(tracks[2][:400], bits=6)  # BER 0.1875: a copy
    far = _flip_low_bits(tracks[2][:400], bits=10)  # BER 0.3125: under 0.35, over 0.30
    assert 6 / 32 < MATCH_BER < 10 / 32
    assert [hit.key for hit in index.search(close)] == [2]
    assert index.search(far) == []


def test_values_shared_by_very_many_places_keep_no_postings() -> None:
    tracks = _tracks(3)
    silence = np.full(300, 0x00000001, dtype=np.uint32)
    for key in tracks:
        tracks[key][:300] = silence
    index = ReferenceIndex(tracks.items())
    assert index.dropped == 1
    # A query of nothing but that value finds nothing: no posting, no vote.
    assert index.search(silence[:240]) == []
    # The same track's own music still matches.
    assert [hit.key for hit in index.search(tracks[1][400:640])] == [1]
