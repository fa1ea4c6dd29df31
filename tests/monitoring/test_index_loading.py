"""A worker's fingerprint index: loaded when the worker starts, then kept current by applying
the changes logged in PostgreSQL (new fingerprints, replaced versions, masters gone from the
index and back), with the same arrays and answers as a rebuild; rebuilt when the log cannot
tell what changed."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from catalog.models import Master, Recording
from catalog.services.masters import master_recheck, master_upload
from monitoring import selectors
from monitoring.index import ReferenceIndex, as_values
from monitoring.models import FingerprintIndexState
from monitoring.selectors import (
    index_build,
    index_fingerprint_ids,
    index_loaded,
    index_refresh,
    index_warm,
    label_index,
)
from monitoring.services import fingerprints
from monitoring.services.fingerprints import index_version_bump
from optout.models import Job, Label, User
from tests.conftest import Team
from tests.monitoring.conftest import SEEDS, check, fingerprint_of, run_job, upload_master

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a worker process that holds no index yet."""
    monkeypatch.setattr(selectors, "_INDEXES", {})


def _same_as_rebuilt(label: Label, queries: list[np.ndarray]) -> ReferenceIndex:
    """The index this process holds has the arrays of a rebuild from PostgreSQL, and gives
    every query the same answer."""
    held = index_loaded(label=label)
    assert held is not None
    rebuilt = index_build(label=label)
    for name in ("keys", "values", "starts", "postings", "offsets"):
        assert np.array_equal(getattr(held[1], name), getattr(rebuilt, name)), name
    for query in queries:
        assert held[1].search(query) == rebuilt.search(query)
    return held[1]


def _found(index: ReferenceIndex, query: np.ndarray) -> set[int]:
    return {hit.key for hit in index.search(query)}


def test_changes_are_applied_without_a_rebuild_and_answer_as_a_rebuild_does(
    team: Team,
    tracks: dict[int, Path],
    tmp_path: Path,
    catalog: Callable[[], dict[int, Master]],
) -> None:
    masters = catalog()
    label = team.label
    assert index_refresh(label=label).how == "full"
    values = {seed: as_values(bytes(fingerprint_of(m).values)) for seed, m in masters.items()}
    queries = [values[seed][200:440] for seed in SEEDS]
    first, second, third = (fingerprint_of(masters[seed]).pk for seed in SEEDS)

    # A new recording (the same audio as the first: two references answer one query).
    twin = Recording.objects.create(label=label, title="Twin", isrc="SEABC2600009")
    twin_master = upload_master(team, twin, tracks[SEEDS[0]], tmp_path)
    assert index_refresh(label=label).how == "changes"  # ready, not fingerprinted yet
    run_job(fingerprint_of(twin_master).job)
    load = index_refresh(label=label)
    assert (load.how, load.changed, load.references) == ("changes", 1, 4)
    index = _same_as_rebuilt(label, queries)
    twin_print = fingerprint_of(twin_master).pk
    assert _found(index, queries[0]) == {first, twin_print}

    # A new version of the first recording (the second track's audio) replaces its reference.
    replacement = upload_master(team, masters[SEEDS[0]].recording, tracks[SEEDS[1]], tmp_path)
    run_job(fingerprint_of(replacement).job)
    load = index_refresh(label=label)
    assert (load.how, load.references) == ("changes", 4)
    index = _same_as_rebuilt(label, queries)
    replaced = fingerprint_of(replacement).pk
    assert _found(index, queries[0]) == {twin_print}
    assert _found(index, queries[1]) == {second, replaced}

    # The second recording's master is flagged (the catalog does not tell monitoring): a
    # suspect that hits it drops the hit and logs the recording; the index loses it.
    flagged = masters[SEEDS[1]]
    Master.objects.for_label(label).filter(pk=flagged.pk).update(
        status=Master.Status.FLAGGED, is_current=False
    )
    suspect = check(team, tracks[SEEDS[1]], tmp_path)
    assert [m.master_id for m in suspect.matches.all()] == [replacement.pk]
    load = index_refresh(label=label)
    assert (load.how, load.changed, load.references) == ("changes", 1, 3)
    index = _same_as_rebuilt(label, queries)
    assert _found(index, queries[1]) == {replaced}

    # Checked again and ready (its stored file is intact), it comes back.
    flagged.refresh_from_db()
    run_job(master_recheck(master=flagged, actor=team.a_r).job)
    load = index_refresh(label=label)
    assert (load.how, load.references) == ("changes", 4)
    index = _same_as_rebuilt(label, queries)
    assert _found(index, queries[1]) == {second, replaced}
    assert set(index.keys.tolist()) == {second, third, twin_print, replaced}
    assert set(index_fingerprint_ids(label=label)) == set(index.keys.tolist())


def test_a_worker_rebuilds_when_the_log_cannot_tell_what_changed(
    team: Team,
    tracks: dict[int, Path],
    tmp_path: Path,
    catalog: Callable[[], dict[int, Master]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    masters = catalog()
    label = team.label
    queries = [as_values(bytes(fingerprint_of(masters[s]).values))[200:440] for s in SEEDS]
    held = index_refresh(label=label)

    # Too old: the log keeps only the last versions, and this worker is further behind.
    monkeypatch.setattr(fingerprints, "LOG_KEEP", 1)
    twin = Recording.objects.create(label=label, title="Twin", isrc="SEABC2600009")
    twin_master = upload_master(team, twin, tracks[SEEDS[2]], tmp_path)
    run_job(fingerprint_of(twin_master).job)
    for _ in range(2):
        index_version_bump(label=label, recordings=[twin.pk])
    state = FingerprintIndexState.objects.for_label(label).get()
    assert state.log_from > held.version
    load = index_refresh(label=label)
    assert load.how == "full" and "outside the change log" in load.reason
    index = _same_as_rebuilt(label, queries)
    assert _found(index, queries[2]) == {
        fingerprint_of(masters[SEEDS[2]]).pk,
        fingerprint_of(twin_master).pk,
    }

    # A change that names no recording.
    index_version_bump(label=label, recordings=None)
    load = index_refresh(label=label)
    assert load.how == "full" and "cannot tell" in load.reason

    # More recordings changed than are worth merging one by one.
    monkeypatch.setattr(selectors, "CHANGES_MAX_FLOOR", 0)
    index_version_bump(label=label, recordings=[twin.pk])
    load = index_refresh(label=label)
    assert load.how == "full" and "1 recordings changed" in load.reason
    assert index_refresh(label=label).how == "current"
    _same_as_rebuilt(label, queries)


def _other_label_master(team: Team, source: Path, tmp_path: Path) -> Master:
    """A fingerprinted master of the other label (its owner uploads it)."""
    label = team.other_label
    recording = Recording.objects.create(label=label, title="B side", isrc="SEXYZ2600001")
    copy = tmp_path / "other.wav"
    shutil.copyfile(source, copy)
    data = copy.read_bytes()
    owner: User = team.outsider
    master = master_upload(
        label=label,
        recording=recording,
        path=copy,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        original_name=source.name,
        actor=owner,
    )
    run_job(master.job)
    assert run_job(fingerprint_of(master).job).status == Job.Status.DONE
    return master


def test_a_worker_start_loads_every_label_within_its_budget(
    team: Team,
    tracks: dict[int, Path],
    tmp_path: Path,
    catalog: Callable[[], dict[int, Master]],
) -> None:
    catalog()
    _other_label_master(team, tracks[SEEDS[0]], tmp_path)
    ours, theirs = team.label, team.other_label

    loads = index_warm(budget_bytes=2**40)
    assert [(load.label_id, load.how) for load in loads] == [(ours.pk, "full"), (theirs.pk, "full")]
    for label, references in ((ours, 3), (theirs, 1)):
        held = index_loaded(label=label)
        assert held is not None and len(held[1]) == references
        assert held[0] == FingerprintIndexState.objects.for_label(label).get().version
    # The first search then finds the index current: nothing is read again.
    assert index_refresh(label=ours).how == "current"

    # A budget that holds the first label only: the other loads at its first search.
    selectors._INDEXES.clear()
    budget = 8 * index_build(label=ours).frames
    loads = index_warm(budget_bytes=budget)
    assert [(load.label_id, load.how) for load in loads] == [
        (ours.pk, "full"),
        (theirs.pk, "skipped"),
    ]
    assert index_loaded(label=theirs) is None
    assert len(label_index(label=theirs)) == 1
