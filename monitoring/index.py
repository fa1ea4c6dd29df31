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
cost the most time: a query skips every key with more than ``cap`` places (``MAX_POSTINGS``,
or ``CAP_FACTOR`` times the mean for big indexes). Their postings are kept, so that the cap
can move as references come and go without rebuilding the index.

No Django: a ``ReferenceIndex`` is built from (key, values) pairs or from arrays and is
read-only afterwards, so one per label can live in each worker process. ``updated`` makes a
new index with some references removed and others added, array for array the one a build
from scratch over the new set of references (in key order) makes, without sorting every
posting again.
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
        # Sorting the packed (key, place) pairs is one fast radix-free sort of uint64; the
        # places of a key come out in order.
        packed = hashed.astype(np.uint64)
        del hashed
        packed <<= np.uint64(32)
        packed |= np.arange(len(values), dtype=np.uint32)
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
    def cap(self) -> int:
        """Keys with more places than this are left out of every query."""
        return max(MAX_POSTINGS, CAP_FACTOR * len(self.values) // (1 << KEY_BITS))

    @property
    def dropped(self) -> int:
        """How many keys are common enough to be left out of queries."""
        return int(np.count_nonzero(np.diff(self.offsets) > self.cap))

    @property
    def nbytes(self) -> int:
        """Memory the index holds (its arrays)."""
        return sum(
            a.nbytes for a in (self.keys, self.values, self.starts, self.postings, self.offsets)
        )

    def updated(
        self,
        *,
        remove: Iterable[int] = (),
        add: Iterable[tuple[int, Sequence[int] | bytes | U32]] = (),
    ) -> ReferenceIndex:
        """A new index without the references keyed ``remove`` and with ``add``: the same
        arrays as a build from scratch over the new set of references in key order, so it
        answers every query as that build does. This index is left as it is (a search
        running on it meanwhile is not disturbed).

        Every place after a change moves by a fixed amount per run of untouched references:
        the postings are shifted run by run and the removed references' places dropped, in
        one pass, and the added references' postings are merged in at their keys. Cost:
        a few passes over the arrays, no sort of the whole index. The keys must be in
        ascending order (a ValueError otherwise, and for a key added twice)."""
        old_keys = self.keys
        if np.any(np.diff(old_keys) <= 0):
            raise ValueError("Only an index whose keys ascend can be updated.")
        added = sorted(((int(key), as_values(values)) for key, values in add), key=lambda a: a[0])
        add_keys = np.array([key for key, _ in added], dtype=np.int64)
        add_lengths = np.array([len(values) for _, values in added], dtype=np.int64)
        gone = np.isin(old_keys, np.fromiter(remove, dtype=np.int64))
        kept = np.flatnonzero(~gone)
        old_lengths = np.diff(self.starts)
        every_key = np.concatenate((old_keys[kept], add_keys))
        order = np.argsort(every_key, kind="stable")
        keys = every_key[order]
        if np.any(np.diff(keys) <= 0):
            raise ValueError("A key added is already in the index.")
        lengths = np.concatenate((old_lengths[kept], add_lengths))[order]
        if int(lengths.sum()) >= 1 << 32:
            raise ValueError("An index holds fewer than 2**32 sub-fingerprints.")
        starts = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        # Where each of ``every_key`` starts in the new flat array.
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order), dtype=np.int64)
        new_start = starts[position]

        # Runs of old references that move by the same amount (or all go).
        shift = np.zeros(len(old_keys), dtype=np.int64)
        shift[kept] = new_start[: len(kept)] - self.starts[kept]
        status = np.where(gone, np.iinfo(np.int64).min, shift)
        firsts = np.flatnonzero(np.diff(status)) + 1
        if len(status):
            firsts = np.concatenate(([0], firsts))
        run_from = self.starts[firsts]
        run_to = np.append(run_from[1:], len(self.values))[: len(firsts)]
        run_shift = shift[firsts]
        run_gone = gone[firsts]

        values = np.empty(int(starts[-1]), dtype=np.uint32)
        for first, stop, moved, left in zip(run_from, run_to, run_shift, run_gone, strict=True):
            if not left:
                values[first + moved : stop + moved] = self.values[first:stop]
        for (_, part), at in zip(added, new_start[len(kept) :], strict=True):
            values[at : at + len(part)] = part

        counts = np.diff(self.offsets).astype(np.int64)
        for first, stop, left in zip(run_from, run_to, run_gone, strict=True):
            if left:
                counts -= np.bincount(
                    self.values[first:stop] >> np.uint32(_SHIFT), minlength=1 << KEY_BITS
                )
        postings = _moved(self.postings, run_from, run_shift, run_gone)
        offsets = np.zeros((1 << KEY_BITS) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        if int(add_lengths.sum()):
            new_hashed = np.concatenate([part >> np.uint32(_SHIFT) for _, part in added])
            new_places = np.concatenate(
                [np.arange(at, at + len(part), dtype=np.uint64) for (_, part), at in
                 zip(added, new_start[len(kept) :], strict=True)]
            )  # fmt: skip
            packed = (new_hashed.astype(np.uint64) << np.uint64(32)) | new_places
            packed.sort()
            new_hashed = (packed >> np.uint64(32)).astype(np.int64)
            new_places = packed & np.uint64(0xFFFFFFFF)
            at_key = _insertion_points(postings, offsets, new_hashed, new_places)
            postings = np.insert(postings, at_key, new_places.astype(np.uint32))
            counts += np.bincount(new_hashed, minlength=1 << KEY_BITS)
            np.cumsum(counts, out=offsets[1:])

        index = type(self).__new__(type(self))
        index.keys = keys
        index.values = values
        index.starts = starts
        index.postings = postings
        index.offsets = offsets.astype(np.uint32)
        return index

    def search(self, query: Sequence[int] | U32) -> list[Hit]:
        """Every reference ``query`` holds a copy of (best first), one hit per reference."""
        q = as_values(query)
        if len(q) == 0 or len(self.keys) == 0:
            return []
        hashed = q >> np.uint32(_SHIFT)
        lo = self.offsets[hashed].astype(np.int64)
        sizes = self.offsets[hashed + 1].astype(np.int64) - lo
        sizes[sizes > self.cap] = 0
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


_CHUNK = 1 << 18
"""Postings moved per step: small enough for the passes over a chunk to stay in cache."""


def _moved(postings: U32, run_from: I64, run_shift: I64, run_gone: npt.NDArray[np.bool_]) -> U32:
    """``postings`` with each place moved by its run's shift, the places of removed runs
    left out (the order within each key is kept: runs move in order)."""
    bounds = np.append(run_from, np.int64(1) << 32)
    # The shift of each run as a step from the previous kept run's: places wrap around
    # uint32 on the way, the sum of the steps is what counts.
    steps: list[tuple[int, int, int]] = []
    gone: list[tuple[int, int]] = []
    previous = 0
    for number, (first, shift, left) in enumerate(zip(run_from, run_shift, run_gone, strict=True)):
        if left:
            gone.append((int(first), int(bounds[number + 1])))
        elif int(shift) != previous:
            steps.append((int(first), (int(shift) - previous) % (1 << 32), int(shift)))
            previous = int(shift)
    if not steps and not gone:
        return postings  # nothing moves (arrays are never changed in place)
    out = np.empty(len(postings), dtype=np.uint32)
    filled = 0
    for at in range(0, len(postings), _CHUNK):
        chunk = postings[at : at + _CHUNK]
        moved = chunk.copy()
        for first, step, _ in steps:
            np.add(moved, np.uint32(step), out=moved, where=chunk >= np.uint32(first))
        if gone:
            keep = np.ones(len(chunk), dtype=np.bool_)
            for first, stop in gone:
                keep &= (chunk < np.uint32(first)) | (chunk >= stop)
            moved = moved[keep]
        out[filled : filled + len(moved)] = moved
        filled += len(moved)
    return out[:filled]


def _insertion_points(
    postings: U32, offsets: I64, hashed: I64, places: npt.NDArray[np.uint64]
) -> I64:
    """Where each new (key, place), sorted, goes in ``postings`` (sorted by key, then
    place, ``offsets`` per key) so that the order stays."""
    touched, first = np.unique(hashed, return_index=True)
    lo = offsets[touched]
    sizes = offsets[touched + 1] - lo
    # The places of the touched keys end to end, each tagged with its key's rank: one
    # sorted uint64 array to search the new (rank, place) pairs in.
    firsts = np.cumsum(sizes) - sizes
    gather = np.arange(int(sizes.sum()), dtype=np.int64) + np.repeat(lo - firsts, sizes)
    ranks = np.repeat(np.arange(len(touched), dtype=np.uint64), sizes)
    old = (ranks << np.uint64(32)) | postings[gather].astype(np.uint64)
    rank = np.repeat(
        np.arange(len(touched), dtype=np.int64), np.diff(np.append(first, len(hashed)))
    )
    new = (rank.astype(np.uint64) << np.uint64(32)) | places
    within: I64 = np.searchsorted(old, new) - firsts[rank]
    at: I64 = lo[rank] + within
    return at


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
