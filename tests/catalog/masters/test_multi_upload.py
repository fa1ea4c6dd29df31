"""Several masters at once: each file is matched to a recording by the ISRC in its tags
(read from its first and last bytes) or in its name; a preview, then uploads through the
single upload. The browser half is in tests/browser/test_multi_upload.py."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.audio.tagmap import mutagen
from catalog.models import Recording
from catalog.selectors.masters import isrc_in_name
from tests.conftest import Team

pytestmark = pytest.mark.django_db

HEAD = 1024 * 1024
TAIL = 256 * 1024


def make_audio(path: Path, *, seconds: float = 1, isrc: str = "") -> Path:
    """A real file made with sox (WAV) or ffmpeg (other formats); ``isrc`` in its tags: a
    Vorbis comment in FLAC, an ID3 chunk (at the end) in WAV."""
    wav = path.with_suffix(".src.wav")
    synth = ["synth", str(seconds), "sine", "440"]
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", "-b", "16", str(wav), *synth], check=True
    )
    if path.suffix == ".flac":
        options = ["-metadata", f"ISRC={isrc}"] if isrc else []
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(wav), *options, str(path)], check=True
        )
        wav.unlink()
        return path
    wav.rename(path)
    if isrc:
        wave: Any = mutagen("wave").WAVE(str(path))
        wave.add_tags()
        wave.tags.add(mutagen("id3").TSRC(encoding=3, text=[isrc]))
        wave.save()
    return path


def _parts(path: Path) -> tuple[bytes, bytes]:
    data = path.read_bytes()
    return data[:HEAD], (data[max(HEAD, len(data) - TAIL) :] if len(data) > HEAD else b"")


def _match(team: Team, files: list[tuple[str, Path]]) -> Any:
    body: dict[str, Any] = {}
    for index, (name, path) in enumerate(files):
        head, tail = _parts(path)
        body[f"name_{index}"] = name
        body[f"head_{index}"] = SimpleUploadedFile("head", head)
        if tail:
            body[f"tail_{index}"] = SimpleUploadedFile("tail", tail)
    return team.client_for(team.a_r).post(
        reverse("catalog:masters_match", args=[team.label.slug]), body
    )


@pytest.mark.parametrize(
    ("name", "isrc"),
    [
        ("SE-A1B-26-00002 final mix.wav", "SEA1B2600002"),
        ("sea1b2600002_take3.flac", "SEA1B2600002"),
        ("03 SE A1B 26 00002.mp3", "SEA1B2600002"),
        ("take 2026-00002.wav", ""),
        ("mix.wav", ""),
    ],
)
def test_an_isrc_is_found_in_a_file_name(name: str, isrc: str) -> None:
    assert isrc_in_name(name) == isrc


def test_files_are_matched_by_their_tags_then_their_names(team: Team, tmp_path: Path) -> None:
    tagged = Recording.objects.create(label=team.label, title="Taggad", isrc="SEA1B2600001")
    named = Recording.objects.create(label=team.label, title="Namngiven", isrc="SEA1B2600002")
    Recording.objects.create(label=team.other_label, title="Annan", isrc="SEA1B2600003")
    # 20 s of WAV is 3.5 MB: its ID3 chunk, at the end, is only in the tail sent.
    long_wav = make_audio(tmp_path / "long.wav", seconds=20, isrc="SE-A1B-26-00001")
    assert long_wav.stat().st_size > HEAD + TAIL
    flac = make_audio(tmp_path / "x.flac", isrc="SEA1B2600001")
    plain = make_audio(tmp_path / "plain.wav")
    foreign = make_audio(tmp_path / "foreign.wav", isrc="SEA1B2600003")
    response = _match(
        team,
        [
            ("long.wav", long_wav),
            ("take.flac", flac),
            ("SE-A1B-26-00002 (final).wav", plain),
            ("other label.wav", foreign),
            ("nothing.wav", plain),
        ],
    )
    assert response.status_code == 200, response.content
    files = response.json()["files"]
    assert [(f["isrc"], f["found_in"]) for f in files] == [
        ("SE-A1B-26-00001", "tags"),
        ("SE-A1B-26-00001", "tags"),
        ("SE-A1B-26-00002", "name"),
        ("SE-A1B-26-00003", "tags"),
        ("", ""),
    ]
    recordings = [f["recording"] and f["recording"]["id"] for f in files]
    assert recordings == [str(tagged.code), str(tagged.code), str(named.code), None, None]


def test_the_match_is_refused_clearly_and_only_for_members_who_upload(
    team: Team, tmp_path: Path
) -> None:
    url = reverse("catalog:masters_match", args=[team.label.slug])
    empty = team.client_for(team.a_r).post(url, {})
    assert (
        empty.status_code == 400
        and "Send between 1 and 100 files" in empty.json()["error"]["message"]
    )
    missing = team.client_for(team.a_r).post(url, {"name_0": "a.wav"})
    assert missing.status_code == 400 and "“a.wav”" in missing.json()["error"]["message"]
    assert team.client_for(team.viewer).post(url, {"name_0": "a.wav"}).status_code == 403
    assert team.client_for(team.outsider).post(url, {"name_0": "a.wav"}).status_code == 404
