"""Catalog imports that meet a dead worker or a malformed file: the counts come from the
database across attempts, the custody entry is written once, a NUL byte rejects its row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from catalog.models import CatalogImport, Recording, ReleaseTrack
from catalog.services.imports import service
from catalog.services.imports.rows import ImportRow
from catalog.services.imports.service import catalog_import_start_path
from catalog.services.imports.writer import StageWriter
from optout.models import Job, LedgerEntry
from optout.services.jobs import job_execute
from tests.catalog.test_imports import report_rows, run_import
from tests.conftest import Team

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the job runner records it."""


def _catalog(tmp_path: Path, rows: int) -> Path:
    lines = ["ISRC,Title,Artist,UPC,Track Number"]
    for n in range(1, rows + 1):
        # Two recordings per release, so track-list positions are written too.
        upc = f"{735000000000 + (n + 1) // 2:012d}"
        lines.append(f"SEABC26{n:05d},Song {n},The Band,{upc}{_ean_check(upc)},{2 - n % 2}")
    path = tmp_path / "catalog.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ean_check(digits: str) -> str:
    """The GS1 check digit of a 12-digit body (an EAN-13 in all)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _entries(team: Team, action: str) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.for_label(team.label).filter(action=action).order_by("seq"))


def test_counts_after_a_killed_first_attempt_include_what_it_committed(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _catalog(tmp_path, 10)
    record = catalog_import_start_path(label=team.label, actor=team.owner, path=path)
    monkeypatch.setattr(service, "BATCH_ROWS", 3)
    real_write = StageWriter.write
    batches: list[int] = []

    def write_then_die(self: StageWriter, rows: Sequence[ImportRow]) -> None:
        if len(batches) == 2:
            raise Killed  # the worker dies while the third batch is being written
        batches.append(len(rows))
        real_write(self, rows)

    monkeypatch.setattr(StageWriter, "write", write_then_die)
    with pytest.raises(Killed):
        job_execute(code=str(record.job.code))
    assert Recording.objects.for_label(team.label).count() == 6  # two batches committed
    job = Job.objects.for_label(team.label).get(pk=record.job.pk)
    assert job.status == Job.Status.RUNNING and job.attempts == 1

    # The lease of the dead worker runs out; the next delivery claims and runs the job.
    monkeypatch.setattr(StageWriter, "write", real_write)
    Job.objects.for_label(team.label).filter(pk=job.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    job_execute(code=str(job.code))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2, job.error

    done = CatalogImport.objects.for_label(team.label).get(pk=record.pk)
    assert Recording.objects.for_label(team.label).count() == 10
    assert ReleaseTrack.objects.for_label(team.label).count() == 10
    expected = {
        "recordings_inserted": 10,
        "recordings_updated": 0,
        "releases_inserted": 5,
        "releases_updated": 0,
        "tracks_written": 10,
    }
    assert {k: done.summary[k] for k in expected} == expected
    (finished,) = _entries(team, "catalog.import.finished")
    assert finished.data["recordings_inserted"] == 10
    assert finished.data["job"] == str(job.code)


def test_a_rerun_after_the_summary_was_committed_writes_one_ledger_entry(
    team: Team, tmp_path: Path
) -> None:
    record = run_import(team, _catalog(tmp_path, 4))
    assert record.job.status == Job.Status.DONE
    # Killed after the summary's commit, before the job was marked done: the same job runs
    # its handler again.
    Job.objects.for_label(team.label).filter(pk=record.job.pk).update(
        status=Job.Status.RUNNING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    job_execute(code=str(record.job.code))
    again = CatalogImport.objects.for_label(team.label).select_related("job").get(pk=record.pk)
    assert again.job.status == Job.Status.DONE and again.job.attempts == 2
    assert len(_entries(team, "catalog.import.finished")) == 1
    # The counts still say what this import wrote, not what the rerun found to do.
    assert again.summary["recordings_inserted"] == 4


def test_a_later_import_counts_only_its_own_changes(team: Team, tmp_path: Path) -> None:
    first = run_import(team, _catalog(tmp_path, 4))
    assert first.summary["recordings_inserted"] == 4
    changed = tmp_path / "changed.csv"
    changed.write_text(
        _catalog(tmp_path, 5).read_text().replace("Song 2,", "Song 2 (remaster),"),
        encoding="utf-8",
    )
    second = run_import(team, changed)
    assert second.summary["recordings_inserted"] == 1
    assert second.summary["recordings_updated"] == 1
    assert second.summary["tracks_written"] == 1


def test_a_nul_character_rejects_its_row_and_the_others_are_imported(
    team: Team, tmp_path: Path
) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(
        b"ISRC,Title,Artist\n"
        b"SEABC2600001,First,The Band\n"
        b"SEABC2600002,Sec\x00ond,The Band\n"
        b"SEABC2600003,Third,The Band\n"
    )
    record = run_import(team, path)
    assert record.job.status == Job.Status.DONE, record.job.error
    assert sorted(Recording.objects.for_label(team.label).values_list("isrc", flat=True)) == [
        "SEABC2600001",
        "SEABC2600003",
    ]
    assert record.rows_total == 3 and record.rows_rejected == 1
    (row,) = report_rows(record)
    assert row["row"] == "3" and row["column"] == "Title"
    assert "contains a NUL character" in row["reason"]
    assert row["value"] == "Sec\ufffdond"
    assert record.summary["recordings_inserted"] == 2
