"""CSV export of recordings, releases and works, safe to open in a spreadsheet.

Cells that a spreadsheet would treat as a formula (starting with ``= + - @``, TAB or CR,
OWASP "CSV injection", ASVS 1.2.10) are prefixed with an apostrophe. Rows stream from
the database in chunks, so a 500k-recording export never sits in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import timezone

from catalog import identifiers
from catalog.models import Recording, Release, Work, WorkWriter
from optout.lib.files import as_download
from optout.models import Label, User
from optout.services.ledger import ledger_append

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A cell's text, neutralised if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class Export:
    header: tuple[str, ...]
    rows: Callable[[Label], Iterable[tuple[Any, ...]]]


def _recordings(label: Label) -> Iterator[tuple[Any, ...]]:
    queryset = (
        Recording.objects.for_label(label)
        .select_related("work")
        .order_by("sort_title", "code")
        .iterator(chunk_size=2000)
    )
    for r in queryset:
        yield (
            r.isrc,
            r.title,
            r.version,
            r.display_artist,
            r.duration_display,
            r.duration_ms,
            r.work.iswc if r.work else "",
            r.work.title if r.work else "",
            r.p_line,
            r.ai_vocals,
            r.ai_instrumentation,
            r.ai_composition,
            r.ai_post_production,
            r.ai_lyrics,
            r.code,
        )


def _releases(label: Label) -> Iterator[tuple[Any, ...]]:
    queryset = Release.objects.for_label(label).order_by("title", "code").iterator(chunk_size=2000)
    for r in queryset:
        yield (
            r.upc,
            r.title,
            r.release_type,
            r.release_date.isoformat() if r.release_date else "",
            r.display_artist,
            r.catalog_number,
            r.p_line,
            r.c_line,
            ", ".join(r.territories or []),
            ", ".join(r.excluded_territories or []),
            r.code,
        )


def _works(label: Label) -> Iterator[tuple[Any, ...]]:
    writers = WorkWriter.objects.for_label(label).select_related("party")
    queryset = (
        Work.objects.for_label(label)
        .prefetch_related(Prefetch("writers", queryset=writers))
        .order_by("title", "code")
        .iterator(chunk_size=2000)
    )
    for w in queryset:
        yield (
            w.iswc,
            identifiers.format_iswc(w.iswc),
            w.title,
            "; ".join(
                f"{x.party.name} ({x.get_role_display()}, {x.share}%)" for x in w.writers.all()
            ),
            w.code,
        )


EXPORTS: dict[str, Export] = {
    "recordings": Export(
        (
            "isrc",
            "title",
            "version",
            "artist",
            "duration",
            "duration_ms",
            "iswc",
            "work_title",
            "p_line",
            "ai_vocals",
            "ai_instrumentation",
            "ai_composition",
            "ai_post_production",
            "ai_lyrics",
            "id",
        ),
        _recordings,
    ),
    "releases": Export(
        (
            "upc",
            "title",
            "release_type",
            "release_date",
            "artist",
            "catalog_number",
            "p_line",
            "c_line",
            "territories",
            "excluded_territories",
            "id",
        ),
        _releases,
    ),
    "works": Export(("iswc", "iswc_display", "title", "writers", "id"), _works),
}


def export_lines(*, label: Label, kind: str) -> Iterator[str]:
    spec = EXPORTS[kind]
    writer = csv.writer(_Echo())
    yield "\ufeff"  # spreadsheets then read the file as UTF-8
    yield writer.writerow(spec.header)
    for row in spec.rows(label):
        yield writer.writerow([safe_cell(v) for v in row])


def export_response(*, label: Label, kind: str, actor: User | None) -> StreamingHttpResponse:
    """The export as a download; starting it is a custody-ledger event."""
    with transaction.atomic():
        ledger_append(
            label=label,
            actor=actor,
            action="catalog.exported",
            data={"kind": kind},
        )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        export_lines(label=label, kind=kind), content_type="text/csv; charset=utf-8"
    )
    as_download(response, f"{label.slug}-{kind}-{stamp}.csv")
    return response
