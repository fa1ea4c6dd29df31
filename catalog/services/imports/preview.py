"""The preview of a CSV import: how its columns map to fields, decided before any row is
written.

1. ``catalog_import_upload`` stores the file. A DDEX message has no columns to map and
   starts at once; a CSV file waits as an import without a job.
2. ``catalog_import_preview`` reads the header and the first rows and proposes a field for
   each column (the built-in names and the label's own, ``columns.map_header``).
3. ``catalog_import_confirm`` takes the member's choice of field (or none: the column is
   ignored) for every column, checks it, keeps it as the import's ``column_map`` and starts
   the job, which reads the file with exactly that mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import CatalogImport
from catalog.services.imports.columns import FIELDS, map_header
from catalog.services.imports.csvsource import CsvSource
from catalog.services.imports.service import (
    detect_format,
    import_create,
    import_job_start,
    label_column_aliases,
)
from optout.jobs import JobFailure
from optout.models import Label, User
from optout.services.blobs import blob_local_path, blob_store_upload
from optout.uploads import HashedUploadedFile

SAMPLE_ROWS = 5
IGNORE = ""

# What each import field is, in words, for the preview's choice of field.
FIELD_NAMES: dict[str, Any] = {
    "isrc": gettext_lazy("ISRC"),
    "title": gettext_lazy("Title"),
    "version": gettext_lazy("Version"),
    "artist": gettext_lazy("Artist"),
    "duration": gettext_lazy("Duration"),
    "iswc": gettext_lazy("ISWC"),
    "work_title": gettext_lazy("Work title"),
    "p_line": gettext_lazy("℗ line"),
    "upc": gettext_lazy("UPC/EAN"),
    "grid": gettext_lazy("GRid"),
    "proprietary_id": gettext_lazy("Proprietary id"),
    "proprietary_namespace": gettext_lazy("Proprietary id namespace"),
    "release_title": gettext_lazy("Release title"),
    "release_type": gettext_lazy("Release type"),
    "release_date": gettext_lazy("Release date"),
    "release_artist": gettext_lazy("Release artist"),
    "catalog_number": gettext_lazy("Catalog number"),
    "c_line": gettext_lazy("© line"),
    "territories": gettext_lazy("Territories"),
    "disc_number": gettext_lazy("Disc number"),
    "track_number": gettext_lazy("Track number"),
}
assert set(FIELD_NAMES) == set(FIELDS)


@dataclass(frozen=True)
class PreviewColumn:
    index: int
    name: str
    field: str
    """The proposed field ('' when the name is not one the import knows)."""
    samples: tuple[str, ...]


@dataclass(frozen=True)
class Preview:
    columns: tuple[PreviewColumn, ...]
    rows_shown: int
    encoding: str
    delimiter: str

    @property
    def unrecognised(self) -> int:
        return sum(1 for c in self.columns if not c.field)


@transaction.atomic
def catalog_import_upload(
    *, label: Label, actor: User | None, upload: HashedUploadedFile, format: str = "auto"
) -> CatalogImport:
    """Store the file; start a DDEX import now, keep a CSV import for its preview."""
    name = upload.name or "import"
    head = upload.digest.head
    chosen = detect_format(head, name) if format == "auto" else format
    blob = blob_store_upload(label=label, upload=upload, actor=actor)
    if chosen != CatalogImport.Format.CSV:
        return import_create(
            label=label, actor=actor, blob=blob, name=name, format=chosen, head=head
        )
    record: CatalogImport = CatalogImport.objects.create(
        label=label,
        job=None,
        source=blob,
        source_name=name[:255],
        format=CatalogImport.Format.CSV,
        created_by=actor,
    )
    return record


def catalog_import_preview(*, record: CatalogImport) -> Preview:
    """The header, the proposed field of each column and a few rows under it."""
    with blob_local_path(record.source) as path:
        try:
            source = CsvSource(path)
            header: list[str] | None = None
            rows: list[list[str]] = []
            for found in source.records():
                if found.cells is None:
                    continue
                if header is None:
                    if any(c.strip() for c in found.cells):
                        header = found.cells
                    continue
                if any(c.strip() for c in found.cells):
                    rows.append(found.cells)
                if len(rows) >= SAMPLE_ROWS:
                    break
        except JobFailure as exc:
            raise ValidationError(str(exc)) from None
    if header is None:
        raise ValidationError(_("The file is empty: it has no header row."))
    mapping = map_header(header, label_column_aliases(label=record.label))
    field_of = {index: field for field, index in mapping.items()}
    columns = tuple(
        PreviewColumn(
            index=index,
            name=name.strip().replace("\x00", "\ufffd"),
            field=field_of.get(index, IGNORE),
            samples=tuple(r[index].strip() if index < len(r) else "" for r in rows),
        )
        for index, name in enumerate(header)
    )
    return Preview(
        columns=columns,
        rows_shown=len(rows),
        encoding=source.dialect.encoding,
        delimiter=source.dialect.delimiter,
    )


@transaction.atomic
def catalog_import_confirm(
    *, record: CatalogImport, actor: User | None, choices: dict[int, str]
) -> CatalogImport:
    """Start the import with the member's mapping: ``{column index: field or ''}``."""
    record = (
        CatalogImport.objects.for_label(record.label)
        .select_for_update()
        .select_related("label", "source")
        .get(pk=record.pk)
    )
    if record.job_id is not None:
        raise ValidationError(_("This import has already started."), code="started")
    mapping: dict[str, int] = {}
    errors: list[str] = []
    for index, field in sorted(choices.items()):
        if field == IGNORE:
            continue
        if field not in FIELDS:
            errors.append(_("“%(field)s” is not an import field.") % {"field": field[:50]})
        elif field in mapping:
            errors.append(
                _("Two columns are mapped to “%(field)s”; map one and ignore the other.")
                % {"field": FIELD_NAMES[field]}
            )
        else:
            mapping[field] = index
    if not errors and "isrc" not in mapping and "upc" not in mapping:
        errors.append(
            _("Map a column to ISRC or to UPC/EAN: rows are matched to the catalog by them.")
        )
    if errors:
        raise ValidationError(errors)
    record.column_map = mapping
    record.save(update_fields=["column_map"])
    return import_job_start(record=record, actor=actor)
