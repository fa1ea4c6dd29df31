"""Importing a 100,000-recording CSV, against psycopg COPY of the same clean rows.

Baselines (performance.md Appendix B §2, re-based as its verdict recommends):

* ``copy_recordings``: COPY of the clean recording rows into ``catalog_recording``
  with all its indexes (the issue's wording: "the same table with its indexes").
* ``copy_all``: COPY of every clean row the import writes (works, releases,
  recordings, track-list positions) into those same tables. This is the like-for-like
  yardstick: the import writes four tables.

Each import is the real job body (``catalog_import_run``): read the stored file, sniff
its dialect, validate every row, stream the error report, stage with COPY, upsert, save
the report and the ledger entry, commit. Variants run in turn (paired) after a TRUNCATE,
and the ratio is taken pair by pair (median). A re-import of the unchanged file must
write nothing: the tuple counters of PostgreSQL must not move.
"""

from __future__ import annotations

import csv
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROWS = 100_000
PAIRS = 5
TABLES = ("catalog_releasetrack", "catalog_recording", "catalog_release", "catalog_work")


def _clean_rows(path: Path, label_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """The rows the import writes, validated beforehand (outside the timed part)."""
    from django.utils import timezone

    from catalog import identifiers
    from catalog.services.imports.rows import validate_row

    now = timezone.now()
    works: dict[str, int] = {}
    releases: dict[str, int] = {}
    tables: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
    recording_id = 0
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for number, (isrc, title, artist, upc, release_title, iswc) in enumerate(reader, start=2):
            raw = {
                k: v
                for k, v in (
                    ("isrc", isrc),
                    ("title", title),
                    ("artist", artist),
                    ("upc", upc),
                    ("release_title", release_title),
                    ("iswc", iswc),
                )
                if v
            }
            row, problems = validate_row(number, raw, {})
            if row is None or problems:  # the baseline copies only the fully clean rows
                continue
            work_id = None
            if row.iswc:
                if row.iswc not in works:
                    works[row.iswc] = len(works) + 1
                    tables["catalog_work"].append(
                        (works[row.iswc], label_id, uuid.uuid4(), now, now, row.title, row.iswc, "")
                    )
                work_id = works[row.iswc]
            assert row.upc is not None and row.isrc is not None
            if row.upc not in releases:
                releases[row.upc] = len(releases) + 1
                tables["catalog_release"].append(
                    (
                        releases[row.upc],
                        label_id,
                        uuid.uuid4(),
                        now,
                        now,
                        row.upc,
                        release_title,
                        "other",
                        None,
                        artist,
                        "",
                        "",
                        "",
                        "[]",
                        "[]",
                        "",
                        "",
                        "",
                        "",
                    )
                )
            recording_id += 1
            tables["catalog_recording"].append(
                (
                    recording_id,
                    label_id,
                    uuid.uuid4(),
                    now,
                    now,
                    row.isrc,
                    row.title,
                    "",
                    row.artist,
                    None,
                    work_id,
                    "",
                    "unknown",
                    "unknown",
                    "unknown",
                    "unknown",
                    "unknown",
                    "",
                )
            )
            tables["catalog_releasetrack"].append(
                (
                    recording_id,
                    label_id,
                    uuid.uuid4(),
                    now,
                    releases[row.upc],
                    recording_id,
                    1,
                    (recording_id - 1) % 10 + 1,
                )
            )
    assert identifiers.WORLDWIDE
    return tables


COLUMNS = {
    "catalog_work": "id, label_id, code, created_at, updated_at, title, iswc, notes",
    "catalog_release": (
        "id, label_id, code, created_at, updated_at, upc, title, release_type, release_date, "
        "display_artist, catalog_number, p_line, c_line, territories, excluded_territories, notes, "
        "grid, proprietary_namespace, proprietary_id"
    ),
    "catalog_recording": (
        "id, label_id, code, created_at, updated_at, isrc, title, version, display_artist, "
        "duration_ms, work_id, p_line, ai_vocals, ai_instrumentation, ai_composition, "
        "ai_post_production, ai_lyrics, notes"
    ),
    "catalog_releasetrack": (
        "id, label_id, code, created_at, release_id, recording_id, disc_number, track_number"
    ),
}


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute("CHECKPOINT")


def _copy(tables: dict[str, list[tuple[Any, ...]]], only: tuple[str, ...]) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in reversed(TABLES):
            if table not in only:
                continue
            with cursor.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                for row in tables[table]:
                    copy.write_row(row)
    return time.perf_counter() - started


def _tuple_writes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables "
            "WHERE relname = ANY(%s)",
            [list(TABLES)],
        )
        return int(cursor.fetchone()[0])


def run() -> dict[str, Any]:
    from bench._database import bench_database

    with bench_database() as env:
        return _run(env)


def _run(env: dict[str, str]) -> dict[str, Any]:
    from bench.catalog_data import write_catalog_csv
    from catalog.models import CatalogImport
    from catalog.services.imports.service import catalog_import_run, catalog_import_start_path
    from optout.models import Label
    from optout.services.labels import label_create, user_get_or_create

    owner, _ = user_get_or_create(email="bench-import@example.test")
    label = Label.objects.filter(slug="bench-import").first() or label_create(
        slug="bench-import", name="Bench import", owner=owner, actor=owner
    )
    work_dir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    source = work_dir / "catalog.csv"
    write_catalog_csv(source, ROWS)
    clean = _clean_rows(source, label.pk)
    # Alone in its table, a recording cannot point at a work the COPY did not write.
    alone = {"catalog_recording": [(*r[:10], None, *r[11:]) for r in clean["catalog_recording"]]}
    record = catalog_import_start_path(label=label, actor=owner, path=source)

    def do_import() -> tuple[float, dict[str, Any]]:
        fresh = (
            CatalogImport.objects.for_label(label)
            .select_related("label", "source")
            .get(pk=record.pk)
        )
        started = time.perf_counter()
        summary = catalog_import_run(record=fresh, progress=lambda f, s: None)
        return time.perf_counter() - started, summary

    variants: dict[str, Callable[[], float]] = {
        "copy_recordings": lambda: _copy(alone, ("catalog_recording",)),
        "copy_all": lambda: _copy(clean, TABLES),
        "import": lambda: do_import()[0],
    }
    times: dict[str, list[float]] = {k: [] for k in variants}
    _truncate()
    do_import()  # warm-up
    for _ in range(PAIRS):
        for name, variant in variants.items():
            _truncate()
            times[name].append(variant())
    _truncate()
    first_seconds, first = do_import()
    writes_before = _tuple_writes()
    again_seconds, again = do_import()
    time.sleep(0.7)  # the statistics collector flushes about every 500 ms
    writes_after = _tuple_writes()
    rows = len(clean["catalog_recording"])
    pairs = list(zip(times["import"], times["copy_recordings"], times["copy_all"], strict=True))
    return {
        "rows_in_file": ROWS,
        "rows_valid": rows,
        "median_seconds": {k: round(statistics.median(v), 3) for k, v in times.items()},
        "rows_per_second": {k: round(rows / statistics.median(v)) for k, v in times.items()},
        "ratio_vs_copy_recordings": round(statistics.median(c / i for i, c, _a in pairs), 3),
        "ratio_vs_copy_all_tables": round(statistics.median(a / i for i, _c, a in pairs), 3),
        "goal": ">= 0.5",
        "first_import": {"seconds": round(first_seconds, 3), **first},
        "reimport_unchanged": {
            "seconds": round(again_seconds, 3),
            "ratio_vs_copy_recordings": round(
                statistics.median(times["copy_recordings"]) / again_seconds, 3
            ),
            "summary": again,
            "tuples_written": writes_after - writes_before,
        },
    }
