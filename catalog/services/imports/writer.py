"""Writing validated rows: stage them, then one set-based statement per table.

PostgreSQL (the measured path, see docs/catalog.md):

1. ``COPY`` each batch into a TEMP staging table (``ON COMMIT DROP``).
2. Works by ISWC and releases by UPC (a release without one by its GRid, then by its
   proprietary id): insert the new ones, then update those whose values differ
   (``IS DISTINCT FROM``), so an unchanged re-import writes nothing.
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
# ``release_by`` says which identifier finds the row's release: upc, grid or prop.
_COLUMNS = (*STAGE_COLUMNS[:-2], "release_by", "disc", "track", "link")

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


# How a staged row ``s`` finds its release ``{r}``, per ``release_by``; each repeats the
# predicate of its partial index so that the index serves the join.
_RELEASE_MATCH = {
    "upc": "{r}.upc = s.upc AND NOT ({r}.upc = '')",
    "grid": "{r}.grid = s.grid AND NOT ({r}.grid = '')",
    "prop": "{r}.proprietary_namespace = s.proprietary_namespace "
    "AND {r}.proprietary_id = s.proprietary_id AND NOT ({r}.proprietary_id = '')",
}
_RELEASE_GROUP = {"upc": "upc", "grid": "grid", "prop": "proprietary_namespace, proprietary_id"}


@dataclass
class Counts:
    recordings_inserted: int = 0
    recordings_updated: int = 0
    releases_inserted: int = 0
    releases_updated: int = 0
    works_inserted: int = 0
    works_updated: int = 0
    tracks_written: int = 0
    track_numbers_from_row_order: int = 0
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


def release_by(row: ImportRow) -> str | None:
    """The identifier that finds the row's release: its UPC, else its GRid, else its
    proprietary id."""
    if row.upc is not None:
        return "upc"
    if row.grid is not None:
        return "grid"
    if row.proprietary_id is not None:
        return "prop"
    return None


def _release_key(row: ImportRow, by: str) -> tuple[str, ...]:
    if by == "upc":
        return (by, row.upc or "")
    if by == "grid":
        return (by, row.grid or "")
    return (by, row.proprietary_namespace or "", row.proprietary_id or "")


@dataclass
class TrackNumbers:
    """Track positions for rows that give none: the order of first appearance per
    release, across the whole file; a (release, recording) pair is linked once.
    ``invented`` counts the positions numbered that way (the import says so)."""

    seen: set[tuple[tuple[str, ...], str]] = field(default_factory=set)
    next_track: dict[tuple[str, ...], int] = field(default_factory=dict)
    invented: int = 0

    def position(self, row: ImportRow, by: str | None) -> tuple[int | None, int | None, bool]:
        if by is None or row.isrc is None:
            return None, None, False
        release = _release_key(row, by)
        if (release, row.isrc) in self.seen:
            return None, None, False
        self.seen.add((release, row.isrc))
        if row.track_number is not None:
            return row.disc_number or 1, row.track_number, True
        number = self.next_track.get(release, 0) + 1
        self.next_track[release] = number
        self.invented += 1
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
            by = release_by(row)
            disc, track, link = self.positions.position(row, by)
            staged.append((*row[:-2], by, disc, track, link))
        self.counts.track_numbers_from_row_order = self.positions.invented
        return staged

    def write(self, rows: Sequence[ImportRow]) -> None:
        if not rows:
            return
        staged = self._stage_rows(rows)
        has_isrc = any(r.isrc for r in rows)
        has_iswc = any(r.iswc for r in rows)
        has_work_title = any(r.work_title for r in rows)
        by_index = _COLUMNS.index("release_by")
        release_kinds = [k for k in _RELEASE_MATCH if any(t[by_index] == k for t in staged)]
        linked_kinds = [k for k in release_kinds if any(t[-1] and t[by_index] == k for t in staged)]
        with connection.cursor() as cursor:
            self._load(cursor, staged)
            if has_iswc:
                self._works(cursor, update_titles=has_work_title)
            for kind in release_kinds:
                self._releases(cursor, kind)
            if has_isrc:
                self._recordings(cursor)
            for kind in linked_kinds:
                self._tracks(cursor, kind)
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
        ("grid", "grid"),
        ("proprietary_namespace", "proprietary_namespace"),
        ("proprietary_id", "proprietary_id"),
    )

    def _releases(self, cursor: Any, kind: str) -> None:
        d, label = self.dialect, self.label_id
        match = _RELEASE_MATCH[kind]
        latest = self._latest(_RELEASE_GROUP[kind], f"release_by = '{kind}'")
        # The UPC has a unique index to lean on; GRid and proprietary ids are matched.
        new_only = (
            "ON CONFLICT (label_id, upc) WHERE NOT (upc = '') DO NOTHING"
            if kind == "upc"
            else f"AND NOT EXISTS (SELECT 1 FROM catalog_release r WHERE r.label_id = {label} "
            f"AND {match.format(r='r')})"
        )
        # Without a release-artist column a new release takes its tracks' artist when they
        # all share one, and none otherwise (not whichever row happened to come last).
        group = _RELEASE_GROUP[kind]
        artists = (
            f"SELECT {group}, CASE WHEN COUNT(*) = COUNT(artist) AND COUNT(DISTINCT artist) = 1 "
            f"THEN MIN(artist) END AS artist FROM {STAGE} "
            f"WHERE release_by = '{kind}' GROUP BY {group}"
        )
        cursor.execute(
            f"""
            INSERT INTO catalog_release (label_id, code, created_at, updated_at, upc, grid,
                proprietary_namespace, proprietary_id, title, release_type, release_date,
                display_artist, catalog_number, p_line, c_line, territories,
                excluded_territories, notes)
            SELECT {label}, {d.uuid}, %s, %s, COALESCE(s.upc, ''), COALESCE(s.grid, ''),
                COALESCE(s.proprietary_namespace, ''), COALESCE(s.proprietary_id, ''),
                COALESCE(s.release_title, s.title, s.upc, s.grid, s.proprietary_id),
                COALESCE(s.release_type, 'other'), s.release_date,
                COALESCE(s.release_artist, a.artist, ''), COALESCE(s.catalog_number, ''), '',
                COALESCE(s.c_line, ''), COALESCE(s.territories, '[]'),
                COALESCE(s.excluded_territories, '[]'), ''
            FROM {STAGE} s LEFT JOIN ({artists}) a ON {match.format(r="a")}
            WHERE {latest}
            {new_only}
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
            WHERE catalog_release.label_id = {label}
              AND {match.format(r="catalog_release")}
              AND {latest}
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

    def _tracks(self, cursor: Any, kind: str) -> None:
        d, label = self.dialect, self.label_id
        group = f"{_RELEASE_GROUP[kind]}, disc, track"
        cursor.execute(
            f"""
            INSERT INTO catalog_releasetrack (label_id, code, created_at, release_id,
                recording_id, disc_number, track_number)
            SELECT {label}, {d.uuid}, %s, r.id, c.id, s.disc, s.track
            FROM {STAGE} s
            JOIN catalog_release r ON r.label_id = {label} AND {_RELEASE_MATCH[kind].format(r="r")}
            JOIN catalog_recording c
                ON c.label_id = {label} AND c.isrc = s.isrc AND NOT (c.isrc = '')
            WHERE s.link AND s.release_by = '{kind}'
              AND {self._latest(group, f"link AND release_by = '{kind}'")}
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
