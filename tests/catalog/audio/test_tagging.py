from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from catalog.audio import BadAudio, RightsMetadata, payload_sha256, probe, write_tagged_copy
from catalog.audio.tagmap import mutagen
from tests.catalog.audio.conftest import (
    FORMATS,
    FULL,
    NOTE,
    decode_errors,
    decoded_md5,
    ffprobe_tags,
)

ITUNES = "----:com.apple.iTunes:"
# mutagen's partial annotations do not pass mypy; its classes are used untyped here.
ID3: Any = mutagen("id3").ID3
MP3: Any = mutagen("mp3").MP3
AIFF: Any = mutagen("aiff").AIFF
WAVE: Any = mutagen("wave").WAVE
FLAC: Any = mutagen("flac").FLAC
MP4: Any = mutagen("mp4").MP4
OggOpus: Any = mutagen("oggopus").OggOpus
OggVorbis: Any = mutagen("oggvorbis").OggVorbis


def _chunks(path: Path) -> dict[bytes, bytes]:
    """An independent, minimal RIFF/RF64 chunk reader for the assertions."""
    data = path.read_bytes()
    sizes: dict[bytes, int] = {}
    position, found = 12, {}
    while position + 8 <= len(data):
        chunk_id = data[position : position + 4]
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        if chunk_id == b"ds64":
            sizes[b"data"] = int.from_bytes(data[position + 16 : position + 24], "little")
        if size == 0xFFFFFFFF:
            size = sizes[chunk_id]
        found[chunk_id] = data[position + 8 : position + 8 + size]
        position += 8 + size + (size & 1)
    return found


def _id3_in(path: Path, fmt: str) -> Any:
    if fmt == "mp3":
        return MP3(path).tags
    if fmt == "aiff":
        return AIFF(path).tags
    if fmt != "rf64":
        return WAVE(path).tags
    tags = ID3()
    tags.load(io.BytesIO(_chunks(path)[b"id3 "]), load_v1=False)
    return tags


# One xdist process runs this module: its module-scoped set of tagged copies is built once.
pytestmark = pytest.mark.xdist_group("audio-tagging")


@pytest.fixture(scope="module")
def tagged(samples, tmp_path_factory):
    """Every sample, tagged once with FULL."""
    folder = tmp_path_factory.mktemp("tagged")
    return {
        name: write_tagged_copy(source=path, target=folder / path.name, metadata=FULL)
        for name, path in samples.items()
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_keeps_the_audio_payload_and_the_decoded_audio_identical(fmt, samples, tagged):
    copy = tagged[fmt]
    assert copy.payload_sha256 == payload_sha256(samples[fmt]) == payload_sha256(copy.path)
    assert decoded_md5(copy.path) == decoded_md5(samples[fmt])
    assert decode_errors(copy.path) == ""
    assert copy.path.read_bytes() != samples[fmt].read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_never_touches_the_source(fmt, sample):
    source = sample(fmt)
    os.utime(source, (1_600_000_000, 1_600_000_000))
    before = source.read_bytes()
    write_tagged_copy(source=source, target=source.with_name("out-" + source.name), metadata=FULL)
    assert source.read_bytes() == before
    assert source.stat().st_mtime == 1_600_000_000


@pytest.mark.parametrize("fmt", ["wav16", "wav24", "bwf", "rf64", "aiff", "mp3"])
def test_it_writes_id3v24_frames_that_mutagen_reads_back(fmt, tagged):
    kind = {"wav16": "wav", "wav24": "wav", "bwf": "wav"}.get(fmt, fmt)
    tags = _id3_in(tagged[fmt].path, kind)
    assert tags.version[:2] == (2, 4)
    assert tags["TSRC"].text == ["USRC17607839"]
    assert tags["TXXX:ISWC"].text == ["T-034.524.680-1"]
    assert tags["TIT2"].text == ["Nattens Ljus"]
    assert tags["TPE1"].text == ["Åsa Exempel"]
    assert tags["TCOP"].text == ["2026 Example Records Ltd"]
    assert tags["TPRO"].text == ["2025 Example Records Ltd"]
    assert tags["TPUB"].text == ["Example Records"]
    assert tags["TOWN"].text == ["Example Records Ltd"]
    assert tags["WCOP"].url == "https://label.example/ai-licensing"
    assert tags["USER:eng"].text == NOTE
    assert tags["USER:eng"].lang == "eng"
    assert tags["TXXX:RIGHTS_RESERVATION"].text == [NOTE]
    assert tags["TXXX:CONTACT"].text == ["rights@label.example", "https://label.example/contact"]
    assert tags["TXXX:LICENSE"].text == ["https://label.example/ai-licensing"]


@pytest.mark.parametrize("fmt", ["aiff", "mp3"])
def test_ffprobe_sees_the_id3_frames_it_supports(fmt, tagged):
    seen = ffprobe_tags(tagged[fmt].path)
    # ffmpeg maps TCOP to "copyright", shows TXXX by description, and ignores WCOP and USER.
    assert seen["TSRC"] == "USRC17607839"
    assert seen["COPYRIGHT"] == "2026 Example Records Ltd"
    assert seen["ISWC"] == "T-034.524.680-1"
    assert seen["RIGHTS_RESERVATION"] == NOTE
    assert seen["LICENSE"] == "https://label.example/ai-licensing"
    assert seen["PUBLISHER"] == "Example Records"


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg", "opus", "m4a"])
def test_it_keeps_existing_tags_it_does_not_write(fmt, tagged):
    info = probe(tagged[fmt].path)
    assert info.common["album"] == ["Kept Album"]
    assert info.common["title"] == ["Nattens Ljus"]  # ours replaced "Old title"
    assert "Old title" not in str(info.tags)


def test_aiff_native_text_chunks_are_kept_beside_the_new_id3_chunk(tagged):
    info = probe(tagged["aiff"].path)
    assert info.tags["AIFF:NAME"] == ["Old title"]
    assert info.tags["TIT2"] == ["Nattens Ljus"]
    assert info.tag_systems == ["aiff-text", "id3v2.4"]


def test_mp3_keeps_its_id3v1_tag_and_says_the_id3v2_3_tag_became_v2_4(tagged):
    copy = tagged["mp3"]
    assert [n.code for n in copy.notes] == ["id3_upgraded"]
    assert copy.path.read_bytes()[-128:-125] == b"TAG"


@pytest.mark.parametrize("fmt", ["flac", "ogg", "opus"])
def test_it_writes_vorbis_comments_that_mutagen_and_ffprobe_read_back(fmt, tagged):
    path = tagged[fmt].path
    tags = {"flac": FLAC, "ogg": OggVorbis, "opus": OggOpus}[fmt](path).tags
    assert tags["ISRC"] == ["USRC17607839"]
    assert tags["ISWC"] == ["T-034.524.680-1"]
    assert tags["COPYRIGHT"] == ["2026 Example Records Ltd"]
    assert tags["LICENSE"] == ["https://label.example/ai-licensing"]
    assert tags["CONTACT"] == ["rights@label.example", "https://label.example/contact"]
    assert tags["ORGANIZATION"] == ["Example Records"]
    assert tags["RIGHTS_RESERVATION"] == [NOTE]
    assert tags["DESCRIPTION"] == ["kept comment"]  # ffmpeg writes the comment here
    seen = ffprobe_tags(path)
    assert seen["ISRC"] == "USRC17607839"
    assert seen["COPYRIGHT"] == "2026 Example Records Ltd"
    assert seen["LICENSE"] == "https://label.example/ai-licensing"
    assert seen["CONTACT"] == "rights@label.example;https://label.example/contact"


def test_it_writes_mp4_atoms_that_mutagen_and_ffprobe_read_back(tagged):
    path = tagged["m4a"].path
    tags = MP4(path).tags
    assert tags["cprt"] == ["© 2026 Example Records Ltd"]
    assert bytes(tags[ITUNES + "ISRC"][0]) == b"USRC17607839"
    assert bytes(tags[ITUNES + "LICENSE"][0]) == b"https://label.example/ai-licensing"
    assert bytes(tags[ITUNES + "PRODUCEDNOTICE"][0]).decode() == "℗ 2025 Example Records Ltd"
    assert bytes(tags[ITUNES + "RIGHTS_RESERVATION"][0]).decode() == NOTE
    seen = ffprobe_tags(path)
    assert seen["ISRC"] == "USRC17607839"
    assert seen["COPYRIGHT"] == "© 2026 Example Records Ltd"
    assert seen["LICENSE"] == "https://label.example/ai-licensing"


@pytest.mark.parametrize("fmt", ["wav16", "bwf", "rf64"])
def test_wav_copies_carry_bext_and_ixml_read_back_by_our_parser_and_ffprobe(fmt, tagged):
    copy = tagged[fmt]
    info = probe(copy.path)
    bext = info.bext
    assert bext is not None
    assert bext["description"] == NOTE
    assert bext["originator"] == "Example Records"
    assert bext["originator_reference"] == "USRC17607839"
    assert bext["version"] == 1
    assert info.ixml is not None
    assert info.ixml["fields"]["NOTE"] == NOTE
    assert "ISRC=USRC17607839" in info.ixml["fields"]["USER"].splitlines()
    assert "LICENSE=https://label.example/ai-licensing" in info.ixml["fields"]["USER"]
    seen = ffprobe_tags(copy.path)
    assert seen["COMMENT"] == NOTE  # ffmpeg's name for the bext Description
    assert seen["ORIGINATOR_REFERENCE"] == "USRC17607839"
    assert seen["ENCODED_BY"] == "Example Records"  # ... and for the Originator
    body = _chunks(copy.path)[b"bext"]
    assert len(body) >= 602
    assert body[346:348] == b"\x01\x00"


def test_a_bwf_copy_keeps_the_source_timing_and_coding_history(tagged):
    bext = probe(tagged["bwf"].path).bext
    assert bext is not None
    assert bext["time_reference"] == 12345
    assert bext["origination_date"] == "2020-01-02"
    assert bext["origination_time"] == "03:04:05"
    assert bext["coding_history"] == "A=PCM,F=48000,W=24,M=stereo,T=studio"


def test_an_rf64_copy_stays_rf64_with_a_correct_ds64(tagged, samples):
    path = tagged["rf64"].path
    data = path.read_bytes()
    assert data[:4] == b"RF64" and data[12:16] == b"ds64"
    assert int.from_bytes(data[20:28], "little") == len(data) - 8
    info = probe(path)
    assert info.format == "rf64"
    assert info.duration_ms == probe(samples["rf64"]).duration_ms == 600
    assert tagged["rf64"].format == "rf64"


def test_it_reports_where_each_field_went(tagged):
    wav = tagged["wav16"]
    assert set(wav.places("isrc")) == {"ID3v2.4 TSRC", "bext OriginatorReference", "iXML USER"}
    assert set(wav.places("reservation_note")) == {
        "ID3v2.4 USER:eng", "ID3v2.4 TXXX:RIGHTS_RESERVATION", "bext Description", "iXML NOTE",
    }  # fmt: skip
    assert tagged["m4a"].places("c_line") == ["MP4 cprt"]
    assert tagged["flac"].places("terms_url") == ["Vorbis comment LICENSE"]
    for copy in tagged.values():
        assert copy.not_written == []
        assert {p.field for p in copy.written} == set(FULL.as_request())


def test_it_says_which_fields_a_bext_chunk_cannot_hold(sample, tmp_path):
    metadata = RightsMetadata(reservation_note="Alla rättigheter förbehållna. " + "x" * 300,
                              label_name="Øresund Records")  # fmt: skip
    copy = write_tagged_copy(source=sample("wav16"), target=tmp_path / "o.wav", metadata=metadata)
    skipped = {(o.field, o.place) for o in copy.not_written}
    assert skipped == {("reservation_note", "bext Description"), ("label_name", "bext Originator")}
    reasons = {o.place: o.reason for o in copy.not_written}
    assert reasons["bext Description"] == "bext Description holds at most 256 characters."
    assert reasons["bext Originator"] == "bext Originator holds ASCII text only."
    assert "ID3v2.4 USER:eng" in copy.places("reservation_note")
    assert "iXML NOTE" in copy.places("reservation_note")


def test_accents_are_dropped_in_bext_and_said_so(sample, tmp_path):
    metadata = RightsMetadata(label_name="Café Records")
    copy = write_tagged_copy(source=sample("wav16"), target=tmp_path / "o.wav", metadata=metadata)
    assert (probe(copy.path).bext or {})["originator"] == "Cafe Records"
    assert [n.code for n in copy.notes] == ["transliterated"]


def test_retagging_a_tagged_copy_replaces_rather_than_duplicates(tagged, tmp_path):
    again = write_tagged_copy(
        source=tagged["wav24"].path, target=tmp_path / "again.wav",
        metadata=RightsMetadata(isrc="GBAYE0000001"),
    )  # fmt: skip
    tags = WAVE(again.path).tags
    assert tags["TSRC"].text == ["GBAYE0000001"]
    assert tags["TXXX:ISWC"].text == ["T-034.524.680-1"]
    assert list(_chunks(again.path)).count(b"bext") == 1
    assert again.path.read_bytes().count(b"iXML") == 1
    assert (probe(again.path).bext or {})["originator_reference"] == "GBAYE0000001"


def test_a_target_equal_to_the_source_is_refused(sample):
    source = sample("flac")
    with pytest.raises(ValueError, match="different file"):
        write_tagged_copy(source=source, target=source, metadata=FULL)
    link = source.with_name("link.flac")
    link.hardlink_to(source)
    with pytest.raises(ValueError, match="different file"):
        write_tagged_copy(source=source, target=link, metadata=FULL)


def test_a_truncated_wav_is_refused_and_leaves_no_target(sample, tmp_path):
    source = sample("wav16")
    data = source.read_bytes()
    source.write_bytes(data[: len(data) // 2])
    target = tmp_path / "never.wav"
    with pytest.raises(BadAudio) as caught:
        write_tagged_copy(source=source, target=target, metadata=FULL)
    assert caught.value.code == "truncated"
    assert "truncated" in caught.value.reason
    assert not target.exists()


EDGE_LAYOUTS = {
    # moov before mdat: mutagen must move the audio and fix the chunk offsets.
    "faststart.m4a": ["-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart"],
    "alac.m4a": ["-c:a", "alac"],
    "no-tags.mp3": ["-c:a", "libmp3lame", "-b:a", "96k", "-id3v2_version", "0",
                    "-write_xing", "0"],
    "float.wav": ["-c:a", "pcm_f32le"],
    "surround.wav": ["-c:a", "pcm_s24le", "-ac", "6"],
    "no-padding.flac": ["-c:a", "flac", "-metadata", "title=x"],
}  # fmt: skip


@pytest.mark.parametrize("name", list(EDGE_LAYOUTS))
def test_unusual_layouts_are_tagged_without_changing_the_audio(name, samples, tmp_path):
    source = tmp_path / name
    run_ffmpeg = [
        "ffmpeg", "-v", "error", "-y", "-i", str(samples["wav24"]), *EDGE_LAYOUTS[name],
        str(source),
    ]  # fmt: skip
    import subprocess

    subprocess.run(run_ffmpeg, check=True, capture_output=True, timeout=60)
    if name == "no-padding.flac":  # sox writes FLAC without a PADDING block
        subprocess.run(["sox", str(samples["wav24"]), str(source)], check=True, timeout=60)
    copy = write_tagged_copy(source=source, target=tmp_path / ("tagged-" + name), metadata=FULL)
    assert copy.payload_sha256 == payload_sha256(source)
    assert decode_errors(copy.path) == ""
    assert decoded_md5(copy.path) == decoded_md5(source)
    info = probe(copy.path)
    assert info.common["isrc"] == ["USRC17607839"]
    assert info.common["reservation"] == [NOTE]
