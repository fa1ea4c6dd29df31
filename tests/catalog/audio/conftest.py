"""Real audio in every supported format, made once per test session with sox and ffmpeg,
plus helpers that read files back with independent tools (mutagen, ffprobe, ffmpeg)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from catalog.audio import RightsMetadata

NOTE = (
    "All rights reserved. No AI/ML training or text and data mining "
    "(Art. 4(3) Directive (EU) 2019/790). Licensing: https://label.example/ai-licensing"
)

FULL = RightsMetadata(
    isrc="US-RC1-76-07839",
    iswc="T-034.524.680-1",
    title="Nattens Ljus",
    artist="Åsa Exempel",
    p_line="℗ 2025 Example Records Ltd",
    c_line="© 2026 Example Records Ltd",
    rights_holder="Example Records Ltd",
    contact_email="rights@label.example",
    contact_url="https://label.example/contact",
    terms_url="https://label.example/ai-licensing",
    reservation_note=NOTE,
    label_name="Example Records",
)

EXISTING = [
    "-metadata", "title=Old title", "-metadata", "album=Kept Album",
    "-metadata", "comment=kept comment",
]  # fmt: skip

# name -> (file name, command after the input); None = a plain sox WAV.
RECIPES: dict[str, tuple[str, list[str]]] = {
    "wav16": ("wav16.wav", ["-c:a", "pcm_s16le"]),
    "wav24": ("wav24.wav", ["-c:a", "pcm_s24le"]),
    "bwf": (
        "bwf.wav",
        [
            "-c:a",
            "pcm_s24le",
            "-write_bext",
            "1",
            "-metadata",
            "description=Session take 3",
            "-metadata",
            "originator=Studio X",
            "-metadata",
            "originator_reference=REF123",
            "-metadata",
            "origination_date=2020-01-02",
            "-metadata",
            "origination_time=03:04:05",
            "-metadata",
            "time_reference=12345",
            "-metadata",
            "coding_history=A=PCM,F=48000,W=24,M=stereo,T=studio",
        ],
    ),
    "rf64": ("rf64.wav", ["-c:a", "pcm_s16le", "-rf64", "always"]),
    "aiff": ("aiff.aiff", ["-c:a", "pcm_s16be", *EXISTING]),
    "flac": ("flac.flac", ["-c:a", "flac", *EXISTING]),
    "mp3": (
        "mp3.mp3",
        [
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            "-id3v2_version",
            "3",
            "-write_id3v1",
            "1",
            *EXISTING,
        ],
    ),
    "ogg": ("ogg.ogg", ["-c:a", "libvorbis", "-q:a", "3", *EXISTING]),
    "opus": ("opus.opus", ["-c:a", "libopus", "-b:a", "64k", *EXISTING]),
    "m4a": ("m4a.m4a", ["-c:a", "aac", "-b:a", "96k", *EXISTING]),
}
FORMATS = list(RECIPES)


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("audio-samples")
    source = folder / "source.wav"
    run("sox", "-n", "-r", "48000", "-c", "2", "-b", "24", str(source),
        "synth", "0.6", "sine", "440", "sine", "660", "gain", "-3")  # fmt: skip
    made = {}
    for name, (file_name, options) in RECIPES.items():
        target = folder / file_name
        run("ffmpeg", "-v", "error", "-y", "-i", str(source), *options, str(target))
        made[name] = target
    return made


@pytest.fixture
def sample(samples: dict[str, Path], tmp_path: Path):
    """A private copy of one sample (tests may not change the shared ones)."""

    def copy(name: str) -> Path:
        target = tmp_path / samples[name].name
        shutil.copyfile(samples[name], target)
        return target

    return copy


def ffprobe_tags(path: Path) -> dict[str, str]:
    out = run("ffprobe", "-v", "error", "-show_entries", "format_tags:stream_tags",
              "-of", "json", str(path)).stdout  # fmt: skip
    data = json.loads(out)
    tags = dict(data.get("format", {}).get("tags", {}))
    for stream in data.get("streams", []):
        tags.update(stream.get("tags", {}))
    return {key.upper(): value for key, value in tags.items()}


def decode_errors(path: Path) -> str:
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True, text=True, timeout=60, check=False,
    ).stderr  # fmt: skip


def decoded_md5(path: Path) -> str:
    return run("ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a", "-f", "md5", "-").stdout
