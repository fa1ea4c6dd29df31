"""The in-memory index on its own: a copy is found at its offset, a stretch that only just
stays under the window's bit-error rate is not a match, and common values keep no postings."""

from __future__ import annotations

import numpy as np
import pytest

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


def _built(references: dict[int, np.ndarray]) -> ReferenceIndex:
    keys = sorted(references)
    return ReferenceIndex.from_arrays(
        np.array(keys, dtype=np.int64),
        np.concatenate([references[k] for k in keys]) if keys else np.zeros(0, np.uint32),
        np.array([len(references[k]) for k in keys], dtype=np.int64),
    )


def test_an_updated_index_is_the_index_built_from_scratch() -> None:
    """Through a run of additions, replacements and removals, anywhere in the key order
    and with a shared value whose count crosses the posting cap both ways, every array of
    the updated index equals a fresh build's, and so does every answer."""
    rng = np.random.default_rng(17)

    def track() -> np.ndarray:
        values = rng.integers(0, 2**32, int(rng.integers(250, 500)), dtype=np.uint32)
        values[: int(rng.integers(12, 25))] = 0x00000001  # silence, shared by every track
        return values

    references = {key: track() for key in range(0, 12, 2)}
    index = _built(references)
    common = []
    for step in range(120):
        held = sorted(references)
        remove = set(rng.choice(held, size=min(len(held), int(rng.integers(0, 3))), replace=False))
        add = {}
        for _ in range(int(rng.integers(0, 3))):
            key = int(rng.integers(0, 200))  # new, or one just removed (a replacement)
            if key not in references or key in remove:
                add[key] = track()
        index = index.updated(remove=remove, add=add.items())
        for key in remove:
            del references[int(key)]
        references.update(add)
        fresh = _built(references)
        for name in ("keys", "values", "starts", "postings", "offsets"):
            assert np.array_equal(getattr(index, name), getattr(fresh, name)), (step, name)
        common.append(fresh.dropped)
        for key in list(references)[:3]:
            query = _flip_low_bits(references[key][-240:], bits=3, seed=step)
            assert index.search(query) == fresh.search(query)
            assert key in [hit.key for hit in index.search(query)]
    # The silence went over the cap (200 places) and back under it, more than once.
    changes = np.diff(common)
    assert (changes > 0).sum() > 1 and (changes < 0).sum() > 1


def test_an_index_with_keys_out_of_order_is_not_updated() -> None:
    index = ReferenceIndex(
        [(5, np.arange(50, dtype=np.uint32)), (2, np.arange(50, dtype=np.uint32))]
    )
    with pytest.raises(ValueError, match="ascend"):
        index.updated(add=[(9, np.arange(50, dtype=np.uint32))])
    ordered = ReferenceIndex([(2, np.arange(50, dtype=np.uint32))])
    with pytest.raises(ValueError, match="already"):
        ordered.updated(add=[(2, np.arange(50, dtype=np.uint32))])
