from __future__ import annotations

import pytest

from catalog.audio import AudioInfo, BadAudio, probe, probe_many
from optout.lib.canonical import canonical_json

EXPECTED = {
    # name: (format, codec, sample rate, channels, bit depth)
    "wav16": ("wav", "pcm_s16le", 48000, 2, 16),
    "wav24": ("wav", "pcm_s24le", 48000, 2, 24),
    "bwf": ("bwf", "pcm_s24le", 48000, 2, 24),
    "rf64": ("rf64", "pcm_s16le", 48000, 2, 16),
    "aiff": ("aiff", "pcm_s16be", 48000, 2, 16),
    "flac": ("flac", "flac", 48000, 2, 24),
    "mp3": ("mp3", "mp3", 48000, 2, None),
    "ogg": ("ogg", "vorbis", 48000, 2, None),
    "opus": ("opus", "opus", 48000, 2, None),
    "m4a": ("m4a", "aac", 48000, 2, None),
}


# One xdist process runs this module: its module-scoped probe of every sample is built once.
pytestmark = pytest.mark.xdist_group("audio-probe")


@pytest.fixture(scope="module")
def probed(samples):
    names = list(samples)
    outcomes = probe_many([samples[n] for n in names], names=[samples[n].name for n in names])
    return dict(zip(names, outcomes, strict=True))


@pytest.mark.parametrize("name", list(EXPECTED))
def test_it_reads_the_technical_facts_of_every_format(name, probed, samples):
    info = probed[name]
    assert isinstance(info, AudioInfo)
    assert (info.format, info.codec, info.sample_rate, info.channels, info.bit_depth) == EXPECTED[
        name
    ]
    assert info.size == samples[name].stat().st_size
    assert info.duration_ms is not None and abs(info.duration_ms - 600) <= 60
    assert (info.bitrate and info.bitrate > 0) or name == "opus"
    assert info.notes == []


@pytest.mark.parametrize("name", list(EXPECTED))
def test_its_results_are_json_without_floats_and_round_trip(name, probed):
    info = probed[name]
    data = info.as_dict()
    canonical_json(data)  # refuses floats, as the custody ledger does
    assert AudioInfo.from_dict(data) == info


def test_it_reads_existing_tags_with_their_raw_ids(probed):
    mp3 = probed["mp3"]
    assert mp3.tag_systems == ["id3v2.3"]
    assert mp3.tags["TIT2"] == ["Old title"]
    assert mp3.tags["TALB"] == ["Kept Album"]
    assert mp3.common["album"] == ["Kept Album"]
    assert probed["flac"].tags["ALBUM"] == ["Kept Album"]
    assert probed["m4a"].tags["\xa9alb"] == ["Kept Album"]
    assert probed["ogg"].tag_systems == ["vorbis"]


def test_it_reads_the_bext_chunk_of_a_bwf(probed):
    bext = probed["bwf"].bext
    assert bext is not None
    assert bext["description"] == "Session take 3"
    assert bext["originator"] == "Studio X"
    assert bext["originator_reference"] == "REF123"
    assert bext["origination_date"] == "2020-01-02"
    assert bext["time_reference"] == 12345
    assert bext["coding_history"] == "A=PCM,F=48000,W=24,M=stereo,T=studio"
    assert probed["wav16"].bext is None


def test_it_decides_the_format_from_the_bytes_and_notes_a_misleading_name(samples):
    info = probe(samples["flac"], name="master.mp3")
    assert info.format == "flac"
    assert [n.code for n in info.notes] == ["extension_mismatch"]
    assert info.notes[0].message == "The file name ends in .mp3 but the contents are FLAC."
    assert probe(samples["opus"], name="take.ogg").notes == []


def test_it_notes_a_wav_written_as_a_stream(sample):
    path = sample("wav16")
    data = bytearray(path.read_bytes())
    position = data.index(b"data")
    data[position + 4 : position + 8] = b"\xff\xff\xff\xff"
    data[4:8] = b"\xff\xff\xff\xff"
    path.write_bytes(bytes(data))
    info = probe(path)
    assert "data_size_unset" in [n.code for n in info.notes]
    assert info.duration_ms == 600


def test_it_notes_a_truncated_wav(sample):
    path = sample("wav24")
    path.write_bytes(path.read_bytes()[:50_000])
    info = probe(path)
    codes = [n.code for n in info.notes]
    assert "data_truncated" in codes
    assert info.duration_ms is not None and info.duration_ms < 600


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n" + b"\x00" * 2000, "unknown_format"),
        (b"RIFX\x00\x00\x00\x10WAVEfmt ", "unsupported"),
        (b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1e\x80theora" + b"\x00" * 64, "unsupported"),
        (b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 500, "unsupported"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00", "damaged"),
    ],
)
def test_files_it_cannot_read_are_bad_audio_with_a_reason(tmp_path, content, code):
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    with pytest.raises(BadAudio) as caught:
        probe(path)
    assert caught.value.code == code
    assert caught.value.reason.endswith(".")


def _with_chunks(data: bytes, *chunks: tuple[bytes, bytes]) -> bytes:
    for chunk_id, body in chunks:
        data += chunk_id + len(body).to_bytes(4, "little") + body + b"\x00" * (len(body) & 1)
    return data[:4] + (len(data) - 8).to_bytes(4, "little") + data[8:]


def test_what_it_returns_is_safe_for_json_and_postgresql(sample):
    path = sample("wav16")
    ixml = b'<?xml version="1.0"?><BWFXML><NOTE>a\x00b</NOTE></BWFXML>\x00\x00'
    info_list = b"INFO" + b"INAM" + (7).to_bytes(4, "little") + b"ti\x00tle\x00"
    bext = b"Desc\x00ription".ljust(602, b"\x00") + b"A=PCM\x00,F=48000\r\n"
    path.write_bytes(_with_chunks(path.read_bytes(), (b"iXML", ixml), (b"LIST", info_list),
                                  (b"bext", bext)))  # fmt: skip
    info = probe(path)
    assert info.format == "bwf"
    assert info.bext is not None and info.bext["description"] == "Desc"
    assert info.bext["coding_history"] == "A=PCM,F=48000\r\n"
    assert info.tags["INFO:INAM"] == ["ti"]
    assert info.ixml is not None and "\x00" not in str(info.ixml)
    text = canonical_json(info.as_dict()).decode()
    assert "\\u0000" not in text and "\x00" not in text
