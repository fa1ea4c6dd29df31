from __future__ import annotations

import hashlib
import tracemalloc
from typing import Any

import pytest

from catalog.audio import BadAudio, payload_sha256
from catalog.audio.riff import Chunk, NewChunk, RiffLayout, needs_rf64
from catalog.audio.tagmap import mutagen
from tests.audio import HEADER_SIZE, write_wav
from tests.catalog.audio.conftest import FORMATS

APEv2: Any = mutagen("apev2").APEv2
FLAC: Any = mutagen("flac").FLAC
Padding: Any = mutagen("flac").Padding

# Where the audio of each sample surely is: a byte well inside the payload.
MIDDLE = 0.6


@pytest.mark.parametrize("fmt", FORMATS)
def test_changing_an_audio_byte_changes_the_payload_hash(fmt, sample):
    path = sample(fmt)
    before = payload_sha256(path)
    data = bytearray(path.read_bytes())
    data[int(len(data) * MIDDLE)] ^= 0x01
    path.write_bytes(bytes(data))
    assert payload_sha256(path) != before


def test_mp3_payload_excludes_trailing_apev2_and_id3v1_tags(sample):
    path = sample("mp3")
    before = payload_sha256(path)
    ape = APEv2()
    ape["Title"] = "Appended by another tagger"
    ape.save(path)
    tail = path.read_bytes()[-4096:]
    assert b"APETAGEX" in tail and b"TAG" in tail
    assert payload_sha256(path) == before


def test_flac_payload_excludes_metadata_blocks(sample):
    path = sample("flac")
    before = payload_sha256(path)
    audio = FLAC(path)
    audio.metadata_blocks.append(Padding(b"\x00" * 5000))
    audio["COMMENT"] = "longer " * 1000
    audio.save()
    assert payload_sha256(path) == before


def test_hashing_streams_in_constant_memory(tmp_path):
    path = write_wav(tmp_path / "big.wav", size=HEADER_SIZE + 96 * 1024 * 1024, fill="sparse")
    tracemalloc.start()
    try:
        digest = payload_sha256(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024
    zeros = hashlib.sha256()
    for _ in range(96):
        zeros.update(bytes(1024 * 1024))
    assert digest == zeros.hexdigest()


def test_a_tagged_copy_over_4_gib_becomes_rf64():
    data = Chunk(b"data", 36, 0xFFFF_0000, 0xFFFF_0000)
    layout = RiffLayout(b"RIFF", 0, 0xFFFF_0030, [Chunk(b"fmt ", 12, 16, 16), data], 0xFFFF_0030)
    small = [layout.chunks[0], data]
    assert not needs_rf64(layout, small)
    assert needs_rf64(layout, [*small, NewChunk(b"id3 ", b"\x00" * 0x10000)])


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"RIFF\x04\x00\x00\x00WAVE", "no_audio"),
        (b"fLaC\x80\x00\x00\x22" + b"\x00" * 10, "damaged"),
        (b"\x00\x00\x00\x10ftypM4A \x00\x00\x00\x00", "no_audio"),
        (b"OggS", "unknown_format"),
    ],
)
def test_files_without_a_payload_are_bad_audio(tmp_path, content, code):
    path = tmp_path / "x"
    path.write_bytes(content)
    with pytest.raises(BadAudio) as caught:
        payload_sha256(path)
    assert caught.value.code == code
