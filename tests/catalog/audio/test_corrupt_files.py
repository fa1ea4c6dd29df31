"""Hundreds of corrupt, mutated and polyglot files through probe, payload_sha256 and
write_tagged_copy: every outcome is a result or a BadAudio with a reason, nothing hangs."""

from __future__ import annotations

import random
import struct
import time
from collections import Counter
from pathlib import Path
from typing import Literal

import pytest

from catalog.audio import (
    AudioInfo,
    BadAudio,
    RightsMetadata,
    payload_sha256,
    probe_many,
    write_tagged_copy,
)

# Codes that a damaged file may earn (a memory limit is the sandbox doing its job on a file
# made to exhaust memory); anything else (a crash, a timeout, a garbled answer, an exception
# nobody named) means a parser misbehaved.
EXPECTED = {"damaged", "unknown_format", "unsupported", "no_audio", "truncated", "too_complex",
            "empty", "memory_limit"}  # fmt: skip
MUTANTS_PER_SAMPLE = 36
TAGGED_PER_SAMPLE = 10


def _huge_sizes(data: bytes, rng: random.Random) -> bytes:
    """Declare absurd sizes in the first structure headers the formats use."""
    out = bytearray(data)
    little: Literal["little", "big"] = "little"
    big: Literal["little", "big"] = "big"
    for marker, width, order in ((b"data", 4, little), (b"fmt ", 4, little),
                                 (b"ds64", 4, little), (b"bext", 4, little),
                                 (b"SSND", 4, big), (b"COMM", 4, big), (b"mdat", 4, big),
                                 (b"moov", 4, big), (b"OggS", 0, little)):  # fmt: skip
        position = out.find(marker)
        if position < 0 or rng.random() < 0.4:
            continue
        if marker in (b"mdat", b"moov"):
            out[position - 4 : position] = rng.choice([b"\xff\xff\xff\xf0", b"\x00\x00\x00\x01"])
        elif marker == b"OggS":
            out[position + 26] = 255
        else:
            value = rng.choice([0xFFFFFFFF, 0xFFFFFFF0, 0x7FFFFFFF, 0])
            out[position + 4 : position + 4 + width] = value.to_bytes(width, order)
    if out[:3] == b"ID3":
        out[6:10] = b"\x7f\x7f\x7f\x7f"
    if out[:4] == b"fLaC":
        out[5:8] = b"\xff\xff\xff"
    return bytes(out)


def _mutants(name: str, data: bytes, rng: random.Random) -> list[bytes]:
    result = []
    for index in range(MUTANTS_PER_SAMPLE):
        kind = index % 6
        if kind == 0:  # truncated
            result.append(data[: rng.randrange(1, len(data))])
        elif kind == 1:  # bit flips, dense near the headers
            out = bytearray(data)
            for _ in range(rng.choice([1, 4, 32])):
                spot = rng.randrange(min(len(out), 4096) if rng.random() < 0.7 else len(out))
                out[spot] ^= 1 << rng.randrange(8)
            result.append(bytes(out))
        elif kind == 2:  # random bytes overwritten
            out = bytearray(data)
            start = rng.randrange(len(out) - 64)
            out[start : start + 64] = rng.randbytes(64)
            result.append(bytes(out))
        elif kind == 3:
            result.append(_huge_sizes(data, rng))
        elif kind == 4:  # another format's magic, or none
            magic = rng.choice(
                [b"RIFF", b"fLaC", b"OggS", b"FORM", b"ID3\x04", b"RF64", b"\x00\x00"]
            )
            result.append(magic + data[len(magic) :])
        else:  # polyglots
            other = rng.choice([b"%PDF-1.7\n", b"PK\x03\x04" + bytes(26), b"GIF89a" + bytes(10)])
            result.append(rng.choice([other + data, data + other * 50, data[:200] + other + data]))
    return result


# One xdist process runs this module: its module-scoped corpus is built once.
pytestmark = pytest.mark.xdist_group("corrupt-files")


@pytest.fixture(scope="module")
def corpus(samples, tmp_path_factory) -> list[Path]:
    rng = random.Random(20261125)
    folder = tmp_path_factory.mktemp("corrupt")
    paths = []
    for name, path in samples.items():
        for index, data in enumerate(_mutants(name, path.read_bytes(), rng)):
            target = folder / f"{name}-{index}{path.suffix}"
            target.write_bytes(data)
            paths.append(target)
    for index, data in enumerate([b"", b"\x00", b"RIFF", b"RIFF" + struct.pack("<I", 4) + b"WAVE",
                                  b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f", b"\xff\xfb" * 3,
                                  b"\x00\x00\x00\x00ftyp", b"OggS" + bytes(23)]):  # fmt: skip
        target = folder / f"tiny-{index}.wav"
        target.write_bytes(data)
        paths.append(target)
    return paths


def test_probe_turns_every_corrupt_file_into_a_result_or_bad_audio(corpus):
    started = time.monotonic()
    outcomes = probe_many(corpus, names=[p.name for p in corpus])
    elapsed = time.monotonic() - started
    assert len(outcomes) == len(corpus) >= 360
    codes = Counter(o.code for o in outcomes if isinstance(o, BadAudio))
    assert all(isinstance(o, AudioInfo | BadAudio) for o in outcomes)
    assert set(codes) <= EXPECTED, codes
    assert all(o.reason for o in outcomes if isinstance(o, BadAudio))
    assert sum(isinstance(o, AudioInfo) for o in outcomes) > 0
    assert elapsed < 120


def test_payload_hash_turns_every_corrupt_file_into_a_digest_or_bad_audio(corpus):
    codes: Counter[str] = Counter()
    for path in corpus:
        try:
            assert len(payload_sha256(path)) == 64
        except BadAudio as error:
            codes[error.code] += 1
    assert set(codes) <= EXPECTED - {"memory_limit"}, codes


def test_tagging_corrupt_files_never_escapes_bad_audio_or_changes_the_source(corpus, tmp_path):
    metadata = RightsMetadata(isrc="USRC17607839", c_line="2026 Example Records Ltd",
                              reservation_note="No AI training.")  # fmt: skip
    chosen = [p for p in corpus if int(p.stem.rsplit("-", 1)[1]) < TAGGED_PER_SAMPLE]
    assert len(chosen) >= 100
    codes: Counter[str] = Counter()
    for index, path in enumerate(chosen):
        before = path.read_bytes()
        target = tmp_path / f"out-{index}{path.suffix}"
        try:
            copy = write_tagged_copy(source=path, target=target, metadata=metadata)
        except BadAudio as error:
            codes[error.code] += 1
            assert error.reason
            assert not target.exists()
        else:
            assert copy.payload_sha256 == payload_sha256(path)
            codes["ok"] += 1
        assert path.read_bytes() == before
    assert set(codes) <= EXPECTED | {"ok"}, codes
    assert codes["ok"] > 0
