"""What an import wrote: the rows carrying its stamp (``StageWriter``: every row an import
inserts has ``created_at`` = the first start of its job)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.models import CatalogImport, Recording, Release, Work

SHOWN = 10


@dataclass(frozen=True)
class Created:
    key: str
    """The entity key (``recording``, ``release``, ``work``) for its URLs."""
    count: int
    first: list[Any]


def import_created(*, record: CatalogImport, limit: int = SHOWN) -> list[Created]:
    """The recordings, releases and works this import created, each with the first few."""
    job = record.job if not record.awaiting_confirmation else None
    if job is None or job.started_at is None:
        return []
    found = []
    for key, model in (("recording", Recording), ("release", Release), ("work", Work)):
        rows = model.objects.for_label(record.label).filter(created_at=job.started_at)
        count = rows.count()
        if count:
            found.append(Created(key, count, list(rows.order_by("code")[:limit])))
    return found
