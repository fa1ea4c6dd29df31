"""Writing validated rows: stage them, then one set-based statement per table.

PostgreSQL (the measured path, see docs/catalog.md):

1. ``COPY`` each batch into a TEMP staging table (``ON COMMIT DROP``).
2. Works by ISWC and releases by UPC: insert the new ones, then update those whose
   values differ (``IS DISTINCT FROM``), so an unchanged re-import writes nothing.
3. Recordings by ISRC: one ``INSERT … ON CONFLICT (label_id, isrc) DO UPDATE … WHERE
   (…) IS DISTINCT FROM (…)``; ``xmax = 0`` in ``RETURNING`` tells inserts from updates.
4. Track-list positions: ``ON CONFLICT (release, disc, track) DO UPDATE`` when the
   position now holds another recording.

An empty cell never erases a stored value: absent values fall back to the stored ones.
Each batch is its own transaction (the caller commits it). SQLite (the embedded default)
runs the same statements with ``executemany`` into staging.

Every row an import writes carries one timestamp, the ``stamp`` the writer is given (the
first start of the import's job): ``created_at`` of the rows it inserts and ``updated_at``
of the rows it inserts or changes. ``written`` counts the rows carrying it, so the numbers
include what an earlier attempt committed before its worker died.
"""

# SQL here is composed only from constants of this module and the label's integer id;
# every value from the file travels as a COPY row or a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from catalog.services.imports.rows import STAGE_COLUMNS, ImportRow

STAGE = "catalog_import_stage"
# The partial unique indexes on isrc/upc/iswc (WHERE NOT (x = '')) only serve a join
# whose condition repeats that predicate, hence the "NOT (x = '')" in the joins below.
# The staging table has the row's columns plus the track-list position decided in Python.
_COLUMNS = (*STAGE_COLUMNS[:-2], "disc", "track", "link")

_PG_TYPES = {
    "seq": "integer",
    "duration_ms": "integer",
    "release_date": "date",
    "territories": "jsonb",
    "excluded_territories": "jsonb",
    "disc": "integer",
    "track": "integer",
    "link": "boolean",
}


@dataclass
class Counts:
    recordings_inserted: int = 0
    recordings_updated: int = 0
    releases_inserted: int = 0
    releases_updated: int = 0
    works_inserted: int = 0
    works_updated: int = 0
    tracks_written: int = 0
    rows_staged: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class _Dialect:
    postgres: bool
    uuid: str
    distinct: str
    text: str


def _dialect() -> _Dialect:
    if connection.vendor == "postgresql":
        return _Dialect(True, "gen_random_uuid()", "IS DISTINCT FROM", "text")
    return _Dialect(False, "lower(hex(randomblob(16)))", "IS NOT", "text")


@dataclass
class TrackNumbers:
    """Track positions for rows that give none: the order of first appearance per
    release, across the whole file; a (release, recording) pair is linked once."""

    seen: set[tuple[str, str]] = field(default_factory=set)
    next_track: dict[str, int] = field(default_factory=dict)

    def position(self, row: ImportRow) -> tuple[int | None, int | None, bool]:
        if row.upc is None or row.isrc is None:
            return None, None, False
        key = (row.upc, row.isrc)
        if key in self.seen:
            return None, None, False
        self.seen.add(key)
        if row.track_number is not None:
            return row.disc_number or 1, row.track_number, True
        number = self.next_track.get(row.upc, 0) + 1
        self.next_track[row.upc] = number
        return 1, number, True


class StageWriter:
    """Writes batches for one label. Call ``begin`` once, ``write`` per batch."""

    def __init__(self, *, label_id: int, stamp: datetime | None = None) -> None:
        self.label_id = int(label_id)
        self.dialect = _dialect()
        self.counts = Counts()
        self.positions = TrackNumbers()
        self.now: datetime = stamp or timezone.now()

    # --- setup ---------------------------------------------------------------------------

    def begin(self) -> None:
        columns = ", ".join(
            f"{name} {_PG_TYPES.get(name, 'text') if self.dialect.postgres else ''}".strip()
            for name in _COLUMNS
        )
        with connection.cursor() as cursor:
            if self.dialect.postgres:
                # FK checks as each statement ends rather than 100k deferred ones at COMMIT.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ({columns}) ON COMMIT DROP"
                )
            else:
                cursor.execute(f"DROP TABLE IF EXISTS temp.{STAGE}")
                cursor.execute(f"CREATE TEMP TABLE {STAGE} ({columns})")

    # --- one batch -----------------------------------------------------------------------

    def _stage_rows(self, rows: Sequence[ImportRow]) -> list[tuple[Any, ...]]:
        staged = []
        for row in rows:
            disc, track, link = self.positions.position(row)
            staged.append((*row[:-2], disc, track, link))
        return staged

    def write(self, rows: Sequence[ImportRow]) -> None:
        if not rows:
            return
        staged = self._stage_rows(rows)
        has_isrc = any(r.isrc for r in rows)
        has_upc = any(r.upc for r in rows)
        has_iswc = any(r.iswc for r in rows)
        has_link = any(s[-1] for s in staged)
        has_work_title = any(r.work_title for r in rows)
        with connection.cursor() as cursor:
            self._load(cursor, staged)
            if has_iswc:
                self._works(cursor, update_titles=has_work_title)
            if has_upc:
                self._releases(cursor)
            if has_isrc:
                self._recordings(cursor)
            if has_link:
                self._tracks(cursor)
        self.counts.rows_staged += len(rows)

    def _load(self, cursor: Any, staged: list[tuple[Any, ...]]) -> None:
        names = ", ".join(_COLUMNS)
        if self.dialect.postgres:
            cursor.execute(f"TRUNCATE {STAGE}")
            with cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
                for row in staged:
                    copy.write_row(row)
            # A fresh temporary table has no statistics; without them the planner picks
            # nested loops over the whole batch.
            cursor.execute(f"ANALYZE {STAGE}")
        else:
            cursor.execute(f"DELETE FROM temp.{STAGE}")
            marks = ", ".join(["%s"] * len(_COLUMNS))
            cursor.executemany(f"INSERT INTO temp.{STAGE} ({names}) VALUES ({marks})", staged)

    def _latest(self, key: str, where: str = "") -> str:
        """Staged rows that are the last of their ``key`` in the batch."""
        condition = where or f"{key} IS NOT NULL"
        return f"s.seq IN (SELECT max(seq) FROM {STAGE} WHERE {condition} GROUP BY {key})"

    def _count_before(self, cursor: Any, table: str) -> int:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE label_id = {self.label_id}")
        return int(cursor.fetchone()[0])

    def _works(self, cursor: Any, *, update_titles: bool) -> None:
        d, label = self.dialect, self.label_id
        cursor.execute(
            f"""
            INSERT INTO catalog_work (label_id, code, created_at, updated_at, title, iswc, notes)
            SELECT {label}, {d.uuid}, %s, %s, COALESCE(s.work_title, s.title, s.iswc), s.iswc, ''
            FROM {STAGE} s WHERE {self._latest("iswc")}
            ON CONFLICT (label_id, iswc) WHERE NOT (iswc = '') DO NOTHING
            """,
            [self.now, self.now],
        )
        self.counts.works_inserted += max(cursor.rowcount, 0)
        if not update_titles:
            return
        cursor.execute(
            f"""
            UPDATE catalog_work SET title = s.work_title, updated_at = %s
            FROM {STAGE} s
            WHERE catalog_work.label_id = {label} AND catalog_work.iswc = s.iswc
              AND NOT (catalog_work.iswc = '')
              AND {self._latest("iswc", "iswc IS NOT NULL AND work_title IS NOT NULL")}
              AND catalog_work.title {d.distinct} s.work_title
            """,
            [self.now],
        )
        self.counts.works_updated += max(cursor.rowcount, 0)

    _RELEASE_FIELDS = (
        ("title", "release_title"),
        ("release_type", "release_type"),
        ("release_date", "release_date"),
        ("display_artist", "release_artist"),
        ("catalog_number", "catalog_number"),
        ("c_line", "c_line"),
        ("territories", "territories"),
        ("excluded_territories", "excluded_territories"),
    )

    def _releases(self, cursor: Any) -> None:
        d, label = self.dialect, self.label_id
        cursor.execute(
            f"""
            INSERT INTO catalog_release (label_id, code, created_at, updated_at, upc, title,
                release_type, release_date, display_artist, catalog_number, p_line, c_line,
                territories, excluded_territories, notes)
            SELECT {label}, {d.uuid}, %s, %s, s.upc, COALESCE(s.release_title, s.title, s.upc),
                COALESCE(s.release_type, 'other'), s.release_date,
                COALESCE(s.release_artist, s.artist, ''), COALESCE(s.catalog_number, ''), '',
                COALESCE(s.c_line, ''), COALESCE(s.territories, '[]'),
                COALESCE(s.excluded_territories, '[]'), ''
            FROM {STAGE} s WHERE {self._latest("upc")}
            ON CONFLICT (label_id, upc) WHERE NOT (upc = '') DO NOTHING
            """,
            [self.now, self.now],
        )
        self.counts.releases_inserted += max(cursor.rowcount, 0)
        targets = ", ".join(
            f"{col} = COALESCE(s.{src}, catalog_release.{col})" for col, src in self._RELEASE_FIELDS
        )
        current = ", ".join(f"catalog_release.{col}" for col, _src in self._RELEASE_FIELDS)
        proposed = ", ".join(
            f"COALESCE(s.{src}, catalog_release.{col})" for col, src in self._RELEASE_FIELDS
        )
        cursor.execute(
            f"""
            UPDATE catalog_release SET {targets}, updated_at = %s
            FROM {STAGE} s
            WHERE catalog_release.label_id = {label} AND catalog_release.upc = s.upc
              AND NOT (catalog_release.upc = '')
              AND {self._latest("upc")}
              AND ({current}) {d.distinct} ({proposed})
            """,
            [self.now],
        )
        self.counts.releases_updated += max(cursor.rowcount, 0)

    def _recordings(self, cursor: Any) -> None:
        d, label = self.dialect, self.label_id
        keep_text = ("version", "display_artist", "p_line")
        set_parts = ["title = excluded.title"]
        set_parts += [
            f"{c} = COALESCE(NULLIF(excluded.{c}, ''), catalog_recording.{c})" for c in keep_text
        ]
        set_parts += [
            f"{c} = COALESCE(excluded.{c}, catalog_recording.{c})"
            for c in ("duration_ms", "work_id")
        ]
        compare = ", ".join(p.split(" = ", 1)[1] for p in set_parts)
        current = "catalog_recording.title, " + ", ".join(
            f"catalog_recording.{c}" for c in (*keep_text, "duration_ms", "work_id")
        )
        upsert = f"""
            INSERT INTO catalog_recording (label_id, code, created_at, updated_at, isrc, title,
                version, display_artist, duration_ms, work_id, p_line, ai_vocals,
                ai_instrumentation, ai_composition, ai_post_production, ai_lyrics, notes)
            SELECT {label}, {d.uuid}, %s, %s, s.isrc, s.title, COALESCE(s.version, ''),
                COALESCE(s.artist, ''), s.duration_ms, w.id, COALESCE(s.p_line, ''),
                'unknown', 'unknown', 'unknown', 'unknown', 'unknown', ''
            FROM {STAGE} s
            LEFT JOIN catalog_work w
                ON w.label_id = {label} AND w.iswc = s.iswc AND NOT (w.iswc = '')
            WHERE {self._latest("isrc")}
            ON CONFLICT (label_id, isrc) WHERE NOT (isrc = '') DO UPDATE
            SET {", ".join(set_parts)}, updated_at = excluded.updated_at
            WHERE ({current}) {d.distinct} ({compare})
        """
        if d.postgres:
            cursor.execute(
                f"WITH written AS ({upsert} RETURNING (xmax = 0) AS inserted) "
                "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) "
                "FROM written",
                [self.now, self.now],
            )
            inserted, updated = cursor.fetchone()
        else:
            before = self._count_before(cursor, "catalog_recording")
            cursor.execute(upsert, [self.now, self.now])
            written = max(cursor.rowcount, 0)
            inserted = self._count_before(cursor, "catalog_recording") - before
            updated = written - inserted
        self.counts.recordings_inserted += int(inserted)
        self.counts.recordings_updated += int(updated)

    def _tracks(self, cursor: Any) -> None:
        d, label = self.dialect, self.label_id
        cursor.execute(
            f"""
            INSERT INTO catalog_releasetrack (label_id, code, created_at, release_id,
                recording_id, disc_number, track_number)
            SELECT {label}, {d.uuid}, %s, r.id, c.id, s.disc, s.track
            FROM {STAGE} s
            JOIN catalog_release r ON r.label_id = {label} AND r.upc = s.upc AND NOT (r.upc = '')
            JOIN catalog_recording c
                ON c.label_id = {label} AND c.isrc = s.isrc AND NOT (c.isrc = '')
            WHERE s.link AND {self._latest("upc, disc, track", "link")}
            ON CONFLICT (release_id, disc_number, track_number) DO UPDATE
            SET recording_id = excluded.recording_id, created_at = excluded.created_at
            WHERE catalog_releasetrack.recording_id {d.distinct} excluded.recording_id
            """,
            [self.now],
        )
        self.counts.tracks_written += max(cursor.rowcount, 0)

    # --- what the import wrote, across its attempts -----------------------------------------

    _STAMPED = (
        ("works", "catalog_work"),
        ("releases", "catalog_release"),
        ("recordings", "catalog_recording"),
    )

    def written(self) -> Counts:
        """The rows in the database that carry this import's stamp, counted per table.

        A row inserted by the import has ``created_at`` = stamp; a row it changed has
        ``updated_at`` = stamp and an older ``created_at``. An attempt's own running counts
        would miss what an attempt before it committed (a retried batch finds its rows
        already written and writes nothing). Moving a track-list position to another
        recording replaces the link, so the link takes the stamp as its ``created_at``.
        """
        label, stamp = self.label_id, [self.now, self.now, self.now, self.now]
        counts = replace(self.counts)
        with connection.cursor() as cursor:
            for name, table in self._STAMPED:
                cursor.execute(
                    f"""
                    SELECT count(CASE WHEN created_at = %s THEN 1 END),
                           count(CASE WHEN created_at <> %s THEN 1 END)
                    FROM {table}
                    WHERE label_id = {label} AND (created_at = %s OR updated_at = %s)
                    """,
                    stamp,
                )
                inserted, updated = cursor.fetchone()
                setattr(counts, f"{name}_inserted", int(inserted))
                setattr(counts, f"{name}_updated", int(updated))
            cursor.execute(
                f"SELECT count(*) FROM catalog_releasetrack "
                f"WHERE label_id = {label} AND created_at = %s",
                [self.now],
            )
            counts.tracks_written = int(cursor.fetchone()[0])
        return counts
