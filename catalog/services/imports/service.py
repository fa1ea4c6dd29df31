"""Start and run catalog imports (the job ``catalog.import``).

1. ``catalog_import_start`` stores the file as a blob, writes the import and its job in
   one transaction (the job is queued when it commits) and logs the upload.
2. The job reads rows (CSV or DDEX), validates each with ``catalog.identifiers``, writes
   every rejected row and every warning (a bad value left out of a row that was
   imported) to the report (row, severity, column, value, reason) and hands valid rows
   to the ``StageWriter`` in batches of 10,000, committing each batch so that the page
   can show progress. Re-running is safe: the upsert is idempotent.
3. The error report becomes a blob, the import's summary is stored, and the ledger
   records what was imported.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from catalog.models import CatalogImport, CatalogSettings
from catalog.services.entities import catalog_changed
from catalog.services.exports import safe_cell
from catalog.services.imports.columns import FIELDS, map_header
from catalog.services.imports.csvsource import CsvSource
from catalog.services.imports.ddex import ddex_rows
from catalog.services.imports.rows import (
    REJECTED,
    ImportRow,
    RowError,
    SlashedDates,
    validate_row,
)
from catalog.services.imports.writer import StageWriter
from optout.jobs import JobContext, JobFailure
from optout.lib.tempfiles import temp_dir
from optout.models import Label, User
from optout.services.blobs import blob_local_path, blob_store, blob_store_file, blob_store_upload
from optout.services.jobs import job_create
from optout.services.ledger import ledger_append
from optout.uploads import HashedUploadedFile

JOB_KIND = "catalog.import"
BATCH_ROWS = 10_000
FORMATS = ("auto", "csv", "ddex")


def detect_format(head: bytes, name: str) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") or name.lower().endswith(".xml"):
        return CatalogImport.Format.DDEX
    return CatalogImport.Format.CSV


def import_create(
    *, label: Label, actor: User | None, blob: Any, name: str, format: str, head: bytes
) -> CatalogImport:
    if format not in FORMATS:
        raise ValueError(format)
    chosen = detect_format(head, name) if format == "auto" else format
    record: CatalogImport = CatalogImport.objects.create(
        label=label,
        job=None,
        source=blob,
        source_name=name[:255],
        format=chosen,
        created_by=actor,
    )
    return import_job_start(record=record, actor=actor)


def import_job_start(*, record: CatalogImport, actor: User | None) -> CatalogImport:
    """Give the import its job (queued when the caller's transaction commits) and log it."""
    name = record.source_name
    record.job = job_create(
        label=record.label,
        kind=JOB_KIND,
        actor=actor,
        title=gettext_noop("Import %(name)s"),
        title_args={"name": name[:200]},
        params={"import": str(record.code)},
    )
    record.save(update_fields=["job"])
    data: dict[str, Any] = {"format": record.format, "file": name[:200]}
    if record.column_map:
        data["columns"] = record.column_map
    ledger_append(
        label=record.label,
        actor=actor,
        action="catalog.import.started",
        subject=record,
        blob=record.source,
        data=data,
    )
    return record


@transaction.atomic
def catalog_import_start(
    *, label: Label, actor: User | None, upload: HashedUploadedFile, format: str = "auto"
) -> CatalogImport:
    name = upload.name or "import"
    blob = blob_store_upload(label=label, upload=upload, actor=actor)
    return import_create(
        label=label, actor=actor, blob=blob, name=name, format=format, head=upload.digest.head
    )


@transaction.atomic
def catalog_import_start_path(
    *, label: Label, actor: User | None, path: Path, format: str = "auto"
) -> CatalogImport:
    """The same, for a file on disk (the CLI); the file itself is left in place."""
    with open(path, "rb") as handle:
        head = handle.read(512)
        handle.seek(0)
        blob = blob_store(label=label, source=handle, actor=actor)
    return import_create(
        label=label, actor=actor, blob=blob, name=path.name, format=format, head=head
    )


def label_column_aliases(*, label: Label) -> dict[str, list[str]]:
    settings = CatalogSettings.objects.for_label(label).first()
    return dict(settings.column_aliases) if settings else {}


# --- reading -------------------------------------------------------------------------------

Progress = Callable[[float, str], None]


REPORT_MEDIA_TYPE = "text/csv; charset=utf-8"


def import_report_filename(*, record: CatalogImport) -> str:
    """``catalog-rejected-rows.csv`` for ``catalog.csv`` (never ``….csv.csv``)."""
    stem = Path(record.source_name).stem or "import"
    return f"{stem}-rejected-rows.csv"


class _Report:
    """Rejected rows and warnings, streamed to a temporary CSV file."""

    def __init__(self) -> None:
        fd, name = tempfile.mkstemp(prefix="import-errors-", suffix=".csv", dir=temp_dir())
        self.path = Path(name)
        self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self._handle.write("\ufeff")
        self._writer = csv.writer(self._handle)
        self._writer.writerow(["row", "severity", "column", "value", "reason"])
        self.rows: set[int] = set()
        self.warned_rows: set[int] = set()
        self.warnings = 0

    def add(self, error: RowError) -> None:
        if error.severity == REJECTED:
            self.rows.add(error.row)
        else:
            self.warned_rows.add(error.row)
            self.warnings += 1
        self._writer.writerow(
            [
                error.row,
                error.severity,
                safe_cell(error.column),
                safe_cell(error.value),
                safe_cell(error.reason),
            ]
        )

    def add_all(self, errors: list[RowError]) -> None:
        for error in errors:
            self.add(error)

    @property
    def empty(self) -> bool:
        return not self.rows and not self.warnings

    def close(self) -> None:
        self._handle.close()

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


def _chosen_mapping(column_map: dict[str, Any] | None, *, width: int) -> dict[str, int]:
    """The mapping a member confirmed in the preview (field → column index), if any."""
    chosen: dict[str, int] = {}
    for field, index in (column_map or {}).items():
        if field in FIELDS and isinstance(index, int) and 0 <= index < width:
            chosen[field] = index
    return chosen


def _csv_rows(
    path: Path,
    *,
    aliases: dict[str, list[str]],
    report: _Report,
    progress: Progress,
    column_map: dict[str, Any] | None = None,
) -> Iterator[ImportRow]:
    source = CsvSource(path)
    records = source.records()
    header: list[str] | None = None
    for record in records:
        if record.cells is None:
            report.add(RowError(record.number, "", "", record.problem))
            continue
        if any(c.strip() for c in record.cells):
            header = record.cells
            break
    if header is None:
        raise JobFailure(_("The file is empty: it has no header row."))
    mapping = _chosen_mapping(column_map, width=len(header)) or map_header(header, aliases)
    if "isrc" not in mapping and "upc" not in mapping:
        raise JobFailure(
            _(
                "No ISRC or UPC column was found (columns seen: %(columns)s). Name the "
                "columns in the catalog settings if your file calls them something else."
            )
            % {
                "columns": ", ".join(
                    c.strip().replace("\x00", "\ufffd") for c in header if c.strip()
                )[:500]
            }
        )
    columns = {field: header[index].strip() or field for field, index in mapping.items()}
    missing_title = "" if "title" in mapping else _no_title_column(header)
    dates = None
    if "release_date" in mapping:
        dates = SlashedDates(lambda: source.column(mapping["release_date"]))
    fields = tuple(mapping.items())
    width = len(header)
    step = _("Reading rows (%(encoding)s, delimiter %(delimiter)r)") % {
        "encoding": source.dialect.encoding,
        "delimiter": source.dialect.delimiter,
    }
    count = 0
    for record in records:
        count += 1
        if count % 5000 == 0:
            progress(source.position / source.size, step)
        cells = record.cells
        if cells is None:
            report.add(RowError(record.number, "", "", record.problem))
            continue
        if len(cells) != width:
            if not any(c.strip() for c in cells):
                continue
            report.add(
                RowError(
                    record.number,
                    "",
                    "",
                    _("The row has %(n)d cells; the header has %(m)d.")
                    % {"n": len(cells), "m": width},
                )
            )
            continue
        nul = _nul_error(record.number, cells, fields, columns)
        if nul is not None:
            report.add(nul)
            continue
        raw = {}
        for field, index in fields:
            value = cells[index].strip()
            if value:
                raw[field] = value
        row, problems = validate_row(
            record.number, raw, columns, dates=dates, missing_title=missing_title
        )
        report.add_all(problems)
        if row is not None:
            yield row


def _no_title_column(header: list[str]) -> str:
    found = ", ".join(f"“{c.strip()}”" for c in header if c.strip())
    accepted = ", ".join(f"“{name.title()}”" for name in ("title", *FIELDS["title"]))
    return _(
        "A recording needs a title, and no column of this file is a title column (columns "
        "found: %(found)s). Title columns are called %(accepted)s; name yours in the "
        "catalog settings if it is called something else."
    ) % {"found": found[:500], "accepted": accepted}


def _nul_error(
    number: int, cells: list[str], fields: tuple[tuple[str, int], ...], columns: dict[str, str]
) -> RowError | None:
    """A row with a NUL character in a cell it imports is rejected: PostgreSQL text cannot
    hold NUL, and one such cell would otherwise fail the whole import."""
    for field, index in fields:
        if "\x00" in cells[index]:
            return RowError(
                number,
                columns[field],
                cells[index].replace("\x00", "\ufffd"),
                _("The value contains a NUL character (a zero byte), which is not text."),
            )
    return None


def _ddex_rows(path: Path, *, report: _Report, progress: Progress) -> Iterator[ImportRow]:
    progress(0.02, _("Reading the DDEX message"))
    rows = list(ddex_rows(path))
    total = max(len(rows), 1)
    for index, row in enumerate(rows, start=1):
        if index % 2000 == 0:
            progress(index / total, _("Reading releases and recordings"))
        valid, problems = validate_row(row.number, row.raw, row.columns)
        report.add_all(problems)
        if valid is not None:
            yield valid._replace(seq=index)


def _batches(rows: Iterator[ImportRow]) -> Iterator[list[ImportRow]]:
    batch: list[ImportRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


# --- running -------------------------------------------------------------------------------


def _notes(invented_positions: int) -> list[str]:
    """What the reader had to decide for the file, in words (kept in the summary)."""
    notes = []
    if invented_positions:
        notes.append(
            ngettext(
                "Track numbers were not in the file; %(n)d track position was numbered by "
                "row order.",
                "Track numbers were not in the file; %(n)d track positions were numbered by "
                "row order.",
                invented_positions,
            )
            % {"n": invented_positions}
        )
    return notes


def catalog_import_run(*, record: CatalogImport, progress: Progress) -> dict[str, Any]:
    label = record.label
    report = _Report()
    # The job's first start, kept across its attempts: every row the import writes carries
    # it, so the summary counts what all attempts wrote (StageWriter.written).
    writer = StageWriter(label_id=label.pk, stamp=record.job.started_at)
    staged = 0
    try:
        with blob_local_path(record.source) as path:
            if record.format == CatalogImport.Format.DDEX:
                rows = _ddex_rows(path, report=report, progress=progress)
            else:
                aliases = label_column_aliases(label=label)
                rows = _csv_rows(
                    path,
                    aliases=aliases,
                    report=report,
                    progress=progress,
                    column_map=record.column_map,
                )
            for batch in _batches(rows):
                with transaction.atomic():
                    writer.begin()
                    writer.write(batch)
                staged += len(batch)
        report.close()
        rejected = len(report.rows)
        summary: dict[str, Any] = {
            **writer.written().as_dict(),
            "rows_rejected": rejected,
            "rows_imported": staged,
            "warnings": report.warnings,
            "rows_with_warnings": len(report.warned_rows),
            "notes": _notes(writer.counts.track_numbers_from_row_order),
        }
        progress(0.99, _("Saving the report"))
        with transaction.atomic():
            if not report.empty:
                record.error_report = blob_store_file(
                    label=label,
                    path=report.path,
                    actor=record.created_by,
                    media_type=REPORT_MEDIA_TYPE,
                )
            record.rows_total = staged + rejected
            record.rows_rejected = rejected
            record.summary = summary
            record.save(update_fields=["error_report", "rows_total", "rows_rejected", "summary"])
            ledger_append(
                label=label,
                actor=record.created_by,
                action="catalog.import.finished",
                subject=record,
                blob=record.source,
                data=summary,
                job=record.job,  # once, however often the job is run again
            )
            catalog_changed(label=label)
        return summary
    finally:
        report.discard()


def run_import_job(ctx: JobContext) -> dict[str, Any]:
    label = ctx.job.label
    record = (
        CatalogImport.objects.for_label(label)
        .select_related("label", "source", "created_by", "job")
        .filter(code=ctx.params.get("import"))
        .first()
    )
    if record is None:
        raise JobFailure(_("The import this job belongs to no longer exists."))

    def progress(fraction: float, step: str) -> None:
        ctx.progress(min(99, 98 * fraction), step)

    return catalog_import_run(record=record, progress=progress)
