"""A real Celery worker loads the fingerprint index in its pool process when it starts, and
the first suspect it checks is searched against that index, not a new build."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from catalog.models import Master
from monitoring.models import Suspect
from monitoring.selectors import index_version
from tests.conftest import Team
from tests.monitoring.audio import ffmpeg, sox
from tests.monitoring.conftest import SEEDS, submit_suspect
from tests.workers import Worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_worker_loads_the_index_at_start_and_its_first_search_uses_it(
    team: Team,
    tracks: dict[int, Path],
    tmp_path: Path,
    catalog: Callable[[], dict[int, Master]],
    worker_factory: Any,
) -> None:
    masters = catalog()
    version = index_version(label=team.label)
    worker: Worker = worker_factory()
    loaded = (
        f"Fingerprint index of label {team.label.slug} at version {version} (full): 3 recordings"
    )
    wait_for(lambda: loaded in worker.output(), timeout=60, what="the index loaded at start")
    summary = "Fingerprint indexes loaded at worker start: 1 of 1 labels"
    wait_for(lambda: summary in worker.output(), timeout=10, what="the load's summary")

    clip = sox(tracks[SEEDS[1]], tmp_path / "clip.wav", "trim", "20", "30")
    suspect = submit_suspect(team, ffmpeg(clip, tmp_path / "clip.mp3", "-b:a", "128k"), tmp_path)

    def checked() -> bool:
        suspect.refresh_from_db()
        return bool(suspect.status != Suspect.Status.PENDING)

    wait_for(checked, timeout=120, what="the suspect's check")
    assert suspect.status == Suspect.Status.DONE, worker.output()
    [match] = suspect.matches.all()
    assert match.master_id == masters[SEEDS[1]].pk and abs(match.master_offset - 20) <= 1
    # The search found the index current: the only load is the one at start.
    assert worker.output().count(f"Fingerprint index of label {team.label.slug} at") == 1
