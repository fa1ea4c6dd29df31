"""Monitoring tests: synthetic tracks made once per session, masters uploaded and processed
through the catalog's real services and jobs (which queue the fingerprint jobs)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from catalog.models import Master, Recording
from catalog.services.masters import master_upload
from monitoring.models import Fingerprint, Suspect
from monitoring.services.suspects import suspect_submit
from optout.models import Job
from optout.services.jobs import job_execute
from tests.conftest import Team
from tests.evidence.captures.conftest import site  # noqa: F401  (loopback site to watch)
from tests.monitoring.audio import sox, synth_track
from tests.monitoring.mail import smtp  # noqa: F401  (loopback SMTP server)

SEEDS = (11, 22, 33)


@pytest.fixture(scope="session")
def tracks(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Three distinct 75 s stereo tracks (the right channel a little quieter and darker)."""
    folder = tmp_path_factory.mktemp("tracks")
    made = {}
    for seed in SEEDS:
        mono = synth_track(folder / f"mono-{seed}.wav", seed=seed)
        made[seed] = sox(mono, folder / f"track-{seed}.wav", "remix", "1", "1v0.8", "rate", "44100")
    return made


def run_job(job: Job | None) -> Job:
    assert job is not None
    job_execute(code=str(job.code))
    job.refresh_from_db()
    return job


def upload_master(team: Team, recording: Recording, source: Path, tmp_path: Path) -> Master:
    """A master uploaded and processed by the catalog's own job (not yet fingerprinted)."""
    copy = tmp_path / f"upload-{hashlib.sha256(str(source).encode()).hexdigest()[:8]}.wav"
    shutil.copyfile(source, copy)
    data = copy.read_bytes()
    master = master_upload(
        label=team.label,
        recording=recording,
        path=copy,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        original_name=source.name,
        actor=team.a_r,
    )
    run_job(master.job)
    master.refresh_from_db()
    assert master.status == Master.Status.READY
    return master


def fingerprint_of(master: Master) -> Fingerprint:
    found: Fingerprint = Fingerprint.objects.for_label(master.label).get(master=master)
    return found


@pytest.fixture
def catalog(team: Team, tracks: dict[int, Path], tmp_path: Path) -> Callable[[], dict[int, Master]]:
    """One recording per track, each with a ready, fingerprinted master."""

    def build() -> dict[int, Master]:
        masters = {}
        for number, seed in enumerate(SEEDS, start=1):
            recording = Recording.objects.create(
                label=team.label, title=f"Track {seed}", isrc=f"SEABC26{number:05d}"
            )
            master = upload_master(team, recording, tracks[seed], tmp_path)
            assert run_job(fingerprint_of(master).job).status == Job.Status.DONE
            masters[seed] = master
        return masters

    return build


def submit_suspect(team: Team, source: Path, tmp_path: Path) -> Suspect:
    """A suspect submitted by the rights member through the service the API calls."""
    copy = tmp_path / f"suspect-{source.name}"
    shutil.copyfile(source, copy)
    data = copy.read_bytes()
    return suspect_submit(
        label=team.label,
        path=copy,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        original_name=source.name,
        actor=team.rights,
    )


def check(team: Team, source: Path, tmp_path: Path) -> Suspect:
    suspect = submit_suspect(team, source, tmp_path)
    run_job(suspect.job)
    suspect.refresh_from_db()
    return suspect
