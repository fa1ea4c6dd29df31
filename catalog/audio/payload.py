"""The SHA-256 of a file's audio payload: the bytes that tagging must never change.

==========  ===============================================================================
WAV, BWF,   the body of the first ``data`` chunk
RF64
AIFF        the body of the ``SSND`` chunk
FLAC        everything after the last metadata block, less trailing ID3v1/APEv2 tags
MP3         everything after the leading ID3v2 tag(s), less trailing ID3v1, APEv2,
            Lyrics3v2 and appended ID3v2 tags
Ogg, Opus   every packet of every logical stream except the comment header (packet 1 of
            a Vorbis or Opus stream): codec setup headers are kept because they decide how
            the audio decodes. Each packet is followed by its length (8 bytes, big-endian)
            in its stream's hash; the result is the SHA-256 of the streams' digests in order
            of first appearance.
M4A         the bodies of all top-level ``mdat`` boxes, in file order
==========  ===============================================================================

This is our own code (no mutagen), it streams in 1 MiB steps with constant memory, reads
only fixed-size headers and always moves forward, so it runs in the caller's process:
cheap for multi-GB masters and safe on hostile input. Any failure is a BadAudio.
"""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from catalog.audio import aiff, riff
from catalog.audio.errors import BadAudio, damaged
from catalog.audio.sniff import LABELS, id3v2_end, read_at, sniff, trailing_tags_start

if TYPE_CHECKING:
    from hashlib import _Hash

CHUNK = 1024 * 1024
MAX_BLOCKS = 100_000
MAX_STREAMS = 64


def payload_sha256(path: str | Path) -> str:
    """The SHA-256 (hex) of the audio payload of ``path``; see the module docstring."""
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            return _payload(handle, size)
    except BadAudio:
        raise
    except OSError as error:
        raise BadAudio("unreadable_file", detail=f"{type(error).__name__}: {error}") from None
    except Exception as error:  # a bug on odd input must still end as BadAudio
        raise BadAudio("unreadable", detail=f"{type(error).__name__}: {error}") from None


def _payload(handle: BinaryIO, size: int) -> str:
    sniffed = sniff(handle, size)
    label = LABELS[sniffed.format]
    digest = hashlib.sha256()
    if sniffed.container in ("riff", "rf64"):
        layout = riff.parse_layout(handle, size)
        data = layout.data
        if data is None or data.available == 0:
            raise BadAudio("no_audio", params={"format": layout.label})
        _hash_range(handle, digest, data.body, data.available)
    elif sniffed.container == "aiff":
        ssnd = aiff.parse_layout(handle, size).first(b"SSND")
        if ssnd is None or ssnd.available == 0:
            raise BadAudio("no_audio", params={"format": label})
        _hash_range(handle, digest, ssnd.body, ssnd.available)
    elif sniffed.container == "flac":
        start = flac_audio_start(handle, sniffed.start, size)
        _hash_span(handle, digest, start, trailing_tags_start(handle, start, size), label)
    elif sniffed.container == "mpeg":
        start = id3v2_end(handle, 0, size)
        _hash_span(handle, digest, start, trailing_tags_start(handle, start, size), label)
    elif sniffed.container == "ogg":
        return _ogg_payload(handle, size, label)
    else:
        _mp4_payload(handle, digest, size)
    return digest.hexdigest()


def _hash_range(handle: BinaryIO, digest: _Hash, offset: int, length: int) -> None:
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    handle.seek(offset)
    while length > 0:
        got = handle.readinto(view[: min(length, CHUNK)])  # type: ignore[attr-defined]
        if not got:
            raise damaged("audio", "the file ended early")
        digest.update(view[:got])
        length -= got


def _hash_span(handle: BinaryIO, digest: _Hash, start: int, end: int, label: str) -> None:
    if end <= start:
        raise BadAudio("no_audio", params={"format": label})
    _hash_range(handle, digest, start, end - start)


def flac_audio_start(handle: BinaryIO, offset: int, size: int) -> int:
    """The offset of the first audio frame: after ``fLaC`` and every metadata block."""
    if read_at(handle, offset, 4) != b"fLaC":
        raise damaged("FLAC", "no fLaC marker")
    position = offset + 4
    for _ in range(MAX_BLOCKS):
        header = read_at(handle, position, 4)
        if len(header) < 4:
            raise damaged("FLAC", "metadata blocks run past the end of the file")
        position += 4 + int.from_bytes(header[1:4], "big")
        if position > size:
            raise damaged("FLAC", "metadata blocks run past the end of the file")
        if header[0] & 0x80:
            return position
    raise BadAudio("too_complex", params={"format": "FLAC"})


# --- Ogg ------------------------------------------------------------------------------------


class _OggStream:
    def __init__(self, first_packet_head: bytes) -> None:
        self.hash = hashlib.sha256()
        self.index = 0
        self.length = 0
        codec_header = first_packet_head[:8]
        self.skip = (
            {1} if codec_header[:7] == b"\x01vorbis" or codec_header == b"OpusHead" else set()
        )

    def feed(self, data: bytes, ends: bool) -> None:
        if self.index not in self.skip:
            self.hash.update(data)
        self.length += len(data)
        if ends:
            if self.index not in self.skip:
                self.hash.update(self.length.to_bytes(8, "big"))
            self.index += 1
            self.length = 0


def _ogg_payload(handle: BinaryIO, size: int, label: str) -> str:
    streams: dict[int, _OggStream] = {}
    position = 0
    handle.seek(0)
    while position + 27 <= size:
        header = handle.read(27)
        if len(header) < 27 or header[:4] != b"OggS" or header[4] != 0:
            break
        serial = struct.unpack_from("<I", header, 14)[0]
        lacing = handle.read(header[26])
        if len(lacing) < header[26]:
            break
        body = handle.read(sum(lacing))
        position += 27 + len(lacing) + sum(lacing)
        if len(body) < sum(lacing):
            raise damaged(label, "the last Ogg page is cut off")
        stream = streams.get(serial)
        if stream is None:
            if len(streams) >= MAX_STREAMS:
                raise BadAudio("too_complex", params={"format": label})
            stream = streams[serial] = _OggStream(body[:8])
        start = end = 0
        for index, value in enumerate(lacing):
            end += value
            if value < 255 or index == len(lacing) - 1:
                stream.feed(body[start:end], ends=value < 255)
                start = end
    if not streams or not any(s.index > max(s.skip, default=0) for s in streams.values()):
        raise BadAudio("no_audio", params={"format": label})
    return hashlib.sha256(b"".join(s.hash.digest() for s in streams.values())).hexdigest()


# --- MP4 ------------------------------------------------------------------------------------


def _mp4_payload(handle: BinaryIO, digest: _Hash, size: int) -> None:
    position = 0
    found = False
    for _ in range(MAX_BLOCKS):
        if position + 8 > size:
            break
        header = read_at(handle, position, 16)
        length = int.from_bytes(header[:4], "big")
        kind = header[4:8]
        head_size = 8
        if length == 1:
            if len(header) < 16:
                raise damaged("M4A", "a box header is cut off")
            length, head_size = int.from_bytes(header[8:16], "big"), 16
        elif length == 0:
            length = size - position
        if length < head_size:
            raise damaged("M4A", "a box is smaller than its header")
        if kind == b"mdat":
            available = min(length, size - position) - head_size
            _hash_range(handle, digest, position + head_size, available)
            found = found or available > 0
        position += length
    else:
        raise BadAudio("too_complex", params={"format": "M4A"})
    if not found:
        raise BadAudio("no_audio", params={"format": "M4A"})
