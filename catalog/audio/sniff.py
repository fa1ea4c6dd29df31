"""Which audio format a file is, from its bytes alone (never from its name).

Also the byte-level walkers shared by the probe and the payload hash: leading ID3v2 tags,
trailing ID3v1 / APEv2 / Lyrics3 tags, and MPEG audio frame headers. Everything here reads
fixed-size headers and moves forward by at least one header per step, so it ends on any
input and never allocates from a size the file declares. No Django, no mutagen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from catalog.audio.errors import BadAudio, Param

HEAD_SIZE = 64 * 1024

# Format names used throughout the package, with what users read and the usual extension.
LABELS = {
    "wav": "WAV",
    "bwf": "BWF",
    "rf64": "RF64",
    "aiff": "AIFF",
    "flac": "FLAC",
    "mp3": "MP3",
    "ogg": "Ogg Vorbis",
    "opus": "Opus",
    "m4a": "M4A",
}
MEDIA_TYPES = {
    "wav": "audio/wav",
    "bwf": "audio/wav",
    "rf64": "audio/wav",
    "aiff": "audio/aiff",
    "flac": "audio/flac",
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "opus": "audio/ogg",
    "m4a": "audio/mp4",
}
EXTENSIONS = {
    "wav": "wav",
    "bwf": "wav",
    "rf64": "wav",
    "aiff": "aiff",
    "flac": "flac",
    "mp3": "mp3",
    "ogg": "ogg",
    "opus": "opus",
    "m4a": "m4a",
}
# File-name extensions that are fine for each format (anything else earns a note).
ACCEPTED_EXTENSIONS = {
    "wav": {"wav", "wave", "bwf"},
    "bwf": {"wav", "wave", "bwf"},
    "rf64": {"wav", "wave", "bwf", "rf64", "bw64"},
    "aiff": {"aif", "aiff", "aifc"},
    "flac": {"flac"},
    "mp3": {"mp3"},
    "ogg": {"ogg", "oga"},
    "opus": {"opus", "ogg", "oga"},
    "m4a": {"m4a", "mp4", "m4b", "m4p"},
}


@dataclass
class Sniffed:
    """The outcome of looking at the first bytes of a file."""

    container: str
    """riff, rf64, aiff, flac, mpeg, ogg or mp4."""
    format: str
    """One of LABELS (``wav`` for any RIFF WAVE; the RIFF walk may turn it into ``bwf``)."""
    size: int
    start: int = 0
    """Where the format's own structure starts (after leading ID3v2 tags for MP3/FLAC)."""
    notes: list[tuple[str, dict[str, Param]]] = field(default_factory=list)


def read_at(handle: BinaryIO, offset: int, count: int) -> bytes:
    handle.seek(offset)
    return handle.read(count)


def syncsafe(data: bytes) -> int:
    return (data[0] & 0x7F) << 21 | (data[1] & 0x7F) << 14 | (data[2] & 0x7F) << 7 | data[3] & 0x7F


def id3v2_end(handle: BinaryIO, offset: int, size: int) -> int:
    """The offset after the ID3v2 tags that start at ``offset`` (``offset`` if none)."""
    for _ in range(64):
        header = read_at(handle, offset, 10)
        if len(header) < 10 or header[:3] != b"ID3" or header[3] == 0xFF or header[4] == 0xFF:
            return offset
        if any(b & 0x80 for b in header[6:10]):
            return offset
        length = 10 + syncsafe(header[6:10]) + (10 if header[5] & 0x10 else 0)
        if offset + length > size:
            return size
        offset += length
    return offset


def trailing_tags_start(handle: BinaryIO, start: int, end: int) -> int:
    """Where ID3v1, APEv2, Lyrics3v2 and appended ID3v2 tags at the end of a file begin."""
    for _ in range(16):
        if end - start >= 128 and read_at(handle, end - 128, 3) == b"TAG":
            end -= 128
            continue
        if end - start >= 32:
            footer = read_at(handle, end - 32, 32)
            if footer[:8] == b"APETAGEX":
                length = int.from_bytes(footer[12:16], "little")
                flags = int.from_bytes(footer[20:24], "little")
                length += 32 if flags & 0x80000000 else 0
                if 32 <= length <= end - start:
                    end -= length
                    continue
        if end - start >= 15:
            tail = read_at(handle, end - 15, 15)
            if tail[6:] == b"LYRICS200" and tail[:6].isdigit():
                length = int(tail[:6]) + 15
                if length <= end - start:
                    end -= length
                    continue
        if end - start >= 10:
            footer = read_at(handle, end - 10, 10)
            if footer[:3] == b"3DI" and not any(b & 0x80 for b in footer[6:10]):
                length = syncsafe(footer[6:10]) + 20
                if length <= end - start:
                    end -= length
                    continue
        break
    return end


# --- MPEG audio frames ----------------------------------------------------------------------

_BITRATES = {
    # (version is MPEG-1, layer III) and (MPEG-2/2.5, layer III), kbit/s by index
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True)
class MpegFrame:
    version: int  # 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    layer: int  # 1 = layer III, 2 = layer II, 3 = layer I
    sample_rate: int
    length: int


def mpeg_frame(header: bytes) -> MpegFrame | None:
    """Decode a 4-byte MPEG audio frame header, or None if it is not one."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 3
    layer = (header[1] >> 1) & 3
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 3
    if version == 1 or layer == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    sample_rate = _RATES[version][rate_index]
    padding = (header[2] >> 1) & 1
    if layer != 1:  # layers I and II: only the length matters, and only to reject them later
        return MpegFrame(version, layer, sample_rate, 0)
    bitrate = _BITRATES[version == 3][bitrate_index] * 1000
    factor = 144 if version == 3 else 72
    return MpegFrame(version, layer, sample_rate, factor * bitrate // sample_rate + padding)


def mpeg_chain(data: bytes, offset: int, frames: int) -> MpegFrame | None:
    """The first frame if ``frames`` consecutive layer III frames start at ``offset``."""
    first = mpeg_frame(data[offset : offset + 4])
    if first is None or first.layer != 1 or first.length < 24:
        return first if first is not None and first.layer != 1 else None
    position = offset
    for _ in range(frames):
        if position + 4 > len(data):
            return first  # the chain reached the end of what was read: good enough
        frame = mpeg_frame(data[position : position + 4])
        if frame is None or frame.version != first.version or frame.layer != 1:
            return None
        if frame.sample_rate != first.sample_rate or frame.length < 24:
            return None
        position += frame.length
    return first


def _find_mpeg(data: bytes, offset: int) -> tuple[int, MpegFrame] | None:
    position = data.find(b"\xff", offset)
    while position != -1 and position + 4 <= len(data):
        frame = mpeg_chain(data, position, 4)
        if frame is not None and frame.layer == 1:
            return position, frame
        position = data.find(b"\xff", position + 1)
    return None


# --- The sniffer ---------------------------------------------------------------------------


def sniff(handle: BinaryIO, size: int) -> Sniffed:
    """Decide the container and format from magic bytes; raise BadAudio otherwise."""
    if size <= 0:
        raise BadAudio("empty")
    head = read_at(handle, 0, HEAD_SIZE)
    magic = head[:4]
    if magic == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("riff", "wav", size)
    if magic in (b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return Sniffed("rf64", "rf64", size)
    if magic == b"RIFX" and head[8:12] == b"WAVE":
        raise BadAudio("unsupported", params={"kind": "RIFX (big-endian WAV)"})
    if magic == b"riff" and head[:16] == bytes.fromhex("726966662e91cf11a5d628db04c10000"):
        raise BadAudio("unsupported", params={"kind": "Sony Wave64"})
    if magic == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return Sniffed("aiff", "aiff", size)
    if magic == b"fLaC":
        return Sniffed("flac", "flac", size)
    if magic == b"OggS":
        return _sniff_ogg(head, size)
    if head[4:8] == b"ftyp":
        return Sniffed("mp4", "m4a", size)
    start = id3v2_end(handle, 0, size) if magic[:3] == b"ID3" else 0
    if start:
        head = read_at(handle, start, HEAD_SIZE)
        if head[:4] == b"fLaC":
            return Sniffed("flac", "flac", size, start, [("id3_before_flac", {})])
    return _sniff_mpeg(head, size, start)


def _sniff_ogg(head: bytes, size: int) -> Sniffed:
    segments = head[26] if len(head) > 27 else 0
    packet = head[27 + segments : 27 + segments + 8]
    if packet[:7] == b"\x01vorbis":
        return Sniffed("ogg", "ogg", size)
    if packet == b"OpusHead":
        return Sniffed("ogg", "opus", size)
    kinds = {b"\x7fFLAC": "Ogg FLAC", b"Speex  ": "Ogg Speex", b"\x80theor": "Ogg Theora video"}
    for prefix, kind in kinds.items():
        if packet.startswith(prefix):
            raise BadAudio("unsupported", params={"kind": kind})
    raise BadAudio("unknown_format")


def _sniff_mpeg(head: bytes, size: int, start: int) -> Sniffed:
    frame = mpeg_chain(head, 0, 4)
    if frame is not None and frame.layer != 1:
        layer = "I" if frame.layer == 3 else "II"
        raise BadAudio("unsupported", params={"kind": f"MPEG audio layer {layer}"})
    if frame is not None:
        return Sniffed("mpeg", "mp3", size, start)
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        raise BadAudio("unsupported", params={"kind": "AAC (ADTS)"})
    found = _find_mpeg(head, 1)
    if found is None:
        raise BadAudio("unknown_format")
    offset, _frame = found
    return Sniffed("mpeg", "mp3", size, start, [("junk_before_audio", {"count": offset})])
