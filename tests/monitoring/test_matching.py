"""A suspect made from a master by re-encoding, mixing down, changing the level, cutting,
adding noise, filtering or changing the speed is matched to the right recording at the
right offset; the other tracks and unrelated audio are not; a non-audio file fails."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from catalog.models import Master
from monitoring.models import Suspect
from optout.models import Job
from tests.conftest import Team
from tests.monitoring.audio import ffmpeg, sox, synth_track, with_noise
from tests.monitoring.conftest import SEEDS, check

pytestmark = pytest.mark.django_db

COPY = SEEDS[0]

# name -> (how the suspect is made from the master, where in the master it starts,
#          the speed it should be found at)
VARIANTS: dict[str, tuple[Callable[[Path, Path], Path], float, float]] = {
    "mp3-128k": (lambda s, d: ffmpeg(s, d / "copy.mp3", "-b:a", "128k"), 0.0, 1.0),
    "aac": (lambda s, d: ffmpeg(s, d / "copy.m4a", "-c:a", "aac", "-b:a", "128k"), 0.0, 1.0),
    "mono": (lambda s, d: ffmpeg(s, d / "mono.wav", "-ac", "1"), 0.0, 1.0),
    "plus-6dB": (lambda s, d: sox(s, d / "louder.wav", "gain", "-l", "6"), 0.0, 1.0),
    "minus-6dB": (lambda s, d: sox(s, d / "quieter.wav", "vol", "-6dB"), 0.0, 1.0),
    "clip-30s": (lambda s, d: sox(s, d / "clip.wav", "trim", "25", "30"), 25.0, 1.0),
    "noise-20dB": (lambda s, d: with_noise(s, d / "noisy.wav", snr_db=20), 0.0, 1.0),
    "lowpass-8k": (lambda s, d: sox(s, d / "lowpass.wav", "lowpass", "8000"), 0.0, 1.0),
    "faster-4pct": (lambda s, d: sox(s, d / "faster.wav", "speed", "1.04"), 0.0, 1.04),
    "slower-4pct": (lambda s, d: sox(s, d / "slower.wav", "speed", "0.96"), 0.0, 0.96),
    # Halfway between two searched speeds (0.5 % apart): as far as a copy can be from both.
    "faster-2.75pct": (lambda s, d: sox(s, d / "faster2.wav", "speed", "1.0275"), 0.0, 1.0275),
}


@pytest.fixture
def masters(catalog: Callable[[], dict[int, Master]]) -> dict[int, Master]:
    return catalog()


def test_each_copy_is_found_at_the_right_place(
    team: Team, masters: dict[int, Master], tracks: dict[int, Path], tmp_path: Path
) -> None:
    """One catalog for every variant (building it is the slow part); each variant is
    checked in full and the failures are reported together."""
    failures = {}
    for variant in VARIANTS:
        try:
            _check_variant(variant, team, masters, tracks, tmp_path)
        except AssertionError as error:
            failures[variant] = str(error)
    assert failures == {}


def _check_variant(
    variant: str, team: Team, masters: dict[int, Master], tracks: dict[int, Path], tmp_path: Path
) -> None:
    make, start, speed = VARIANTS[variant]
    folder = tmp_path / variant
    folder.mkdir()
    suspect = check(team, make(tracks[COPY], folder), tmp_path)
    assert suspect.status == Suspect.Status.DONE, suspect.problem
    assert suspect.references == len(SEEDS)
    matches = list(suspect.matches.all())
    # Only the copied recording: the two other tracks in the index are not matched.
    assert [m.recording_id for m in matches] == [masters[COPY].recording_id], [
        (m.recording_id, m.ber) for m in matches
    ]
    match = matches[0]
    assert match.master_id == masters[COPY].pk
    assert match.isrc == masters[COPY].recording.isrc
    assert abs(match.master_offset - start) <= 1.0, match.master_offset
    assert abs(match.suspect_offset) <= 1.0, match.suspect_offset
    assert match.length >= 10
    assert match.ber < 0.35, match.ber
    assert match.score == pytest.approx(1 - match.ber, abs=1e-3)
    assert match.rate == pytest.approx(speed, abs=0.005), match.rate
    _record(variant, match.ber, match.length)


def _record(variant: str, ber: float, length: float) -> None:
    """With MONITORING_REPORT set, append the measurements docs/monitoring.md quotes."""
    report = os.environ.get("MONITORING_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as out:
            out.write(f"{variant}\t{ber:.4f}\t{length:.1f}\n")


def test_unrelated_audio_is_not_matched(
    team: Team, masters: dict[int, Master], tmp_path: Path
) -> None:
    other_track = synth_track(tmp_path / "unrelated.wav", seed=44, seconds=60)
    noise = tmp_path / "noise.wav"
    sox(
        other_track, noise, "synth", "pinknoise", "mix", "tremolo", "3"
    )  # the track under pink noise, wobbling
    for source in (other_track, noise):
        suspect = check(team, source, tmp_path)
        assert suspect.status == Suspect.Status.DONE
        assert list(suspect.matches.all()) == []


def test_a_file_that_is_not_audio_or_too_short_fails_with_its_reason(
    team: Team, masters: dict[int, Master], tracks: dict[int, Path], tmp_path: Path
) -> None:
    random_bytes = tmp_path / "random.mp3"
    random_bytes.write_bytes(os.urandom(200_000))
    page = tmp_path / "page.wav"
    page.write_bytes(b"<html>not audio</html>" * 100)
    for source in (random_bytes, page):
        suspect = check(team, source, tmp_path)
        assert suspect.status == Suspect.Status.FAILED
        assert suspect.problem == "The file could not be decoded as audio."
        assert suspect.job is not None
        suspect.job.refresh_from_db()
        assert suspect.job.status == Job.Status.FAILED
        assert suspect.job.error == suspect.problem
        assert list(suspect.matches.all()) == []
    short = sox(tracks[COPY], tmp_path / "short.wav", "trim", "10", "3")
    suspect = check(team, short, tmp_path)
    assert suspect.status == Suspect.Status.FAILED
    assert "at least 5 s are needed" in suspect.problem
