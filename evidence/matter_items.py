"""What can be added to a matter as an item: a registry of sources, filled at start-up.

A matter (``evidence.Matter``) gathers evidence from every app: uploaded evidence items,
captures of web pages, masters, contract documents, contribution records. Each kind of
object is a ``MatterItemSource``, and the evidence app looks sources up by key when a user
asks to add ``{"master": "<id>"}`` to a matter.

The registry belongs to the evidence app (layer 3). ``evidence.registrations`` registers the
evidence app's own sources and the catalog's (the catalog is a lower layer and never imports
this module); an app above evidence registers its own from its ``AppConfig.ready``.

A source turns one of its objects into a ``MatterItemSnapshot``: the file (a Blob) and the
facts a packet for counsel prints about it. The snapshot is copied into the matter item
when it is added, so a packet needs nothing but matter items and their blobs, and a later
edit of the source object never changes what a matter already holds.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.functional import Promise

from optout.models import Blob, Label


class NotAddable(ValueError):
    """The object exists but cannot be added to a matter yet; the message says why."""


@dataclass(frozen=True)
class MatterItemSnapshot:
    blob: Blob
    title: str
    filename: str
    """The file's own name, as its owner knew it (a packet sanitises it)."""
    description: str = ""
    document_date: date | None = None
    """The date the document carries (a letter's date, a certificate's issue date)."""
    recorded_at: datetime | None = None
    """When the source came to exist here: capture time, upload time."""
    source_url: str = ""
    provenance: Mapping[str, Any] = field(default_factory=dict)
    """Facts about where the file came from, as JSON (no floats: it is hashed)."""
    timestamp_blob: Blob | None = None
    """An RFC 3161 timestamp response over the file, if the source has one."""
    title_message: Mapping[str, Any] | None = None
    """The title as a message id and parameters (``optout.lib.i18n``), when the application
    wrote it: pages show it in the reader's language; ``title`` is its English text."""


@dataclass(frozen=True)
class MatterItemSource:
    key: str
    """The request field and the item's ``source_key``, e.g. ``"master"``."""
    model: str
    """``"app_label.ModelName"`` of a label-owned model with a ``code``."""
    verbose_name: str | Promise
    snapshot: Callable[[Any], MatterItemSnapshot]
    """Describes one object; raises ``NotAddable`` when it cannot be added (yet)."""
    queryset: Callable[[Label], models.QuerySet[Any]] | None = None
    """The objects of a label that may be added (default: all of the model's)."""
    order: int = 100

    def get_model(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def candidates(self, *, label: Label) -> models.QuerySet[Any]:
        if self.queryset is not None:
            return self.queryset(label)
        return self.get_model().objects.for_label(label)  # type: ignore[attr-defined,no-any-return]

    def lookup(self, *, label: Label, code: uuid.UUID | str) -> Any | None:
        """The object with public ``code`` in ``label``, or None (another label's is None)."""
        try:
            return self.candidates(label=label).get(code=code)
        except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
            return None


_SOURCES: dict[str, MatterItemSource] = {}


def register_matter_item_source(source: MatterItemSource) -> None:
    existing = _SOURCES.get(source.key)
    if existing is not None and existing.model != source.model:
        raise RuntimeError(f"Matter item source {source.key!r} is registered twice.")
    _SOURCES[source.key] = source


def matter_item_source(key: str) -> MatterItemSource | None:
    return _SOURCES.get(key)


def matter_item_sources() -> list[MatterItemSource]:
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))


# Fields a picker searches, the first few a source's model has (titles, file names, URLs).
_TEXT_FIELDS = (
    "title",
    "original_name",
    "filename",
    "file_name",
    "document_name",
    "page_title",
    "url",
    "name",
)


def matter_item_suggestions(*, label: Label, query: str, source_key: str) -> list[Any]:
    """Objects of the source ``source_key`` whose title, file name or URL holds ``query``
    (every source's when no key is given), as ``(source, object)`` pairs, at most ten."""
    sources = [s for s in matter_item_sources() if not source_key or s.key == source_key]
    found: list[Any] = []
    for source in sources:
        model = source.get_model()
        names = {f.name for f in model._meta.get_fields()}
        fields = [f for f in _TEXT_FIELDS if f in names]
        if not fields:
            continue
        match = models.Q()
        for name in fields:
            match |= models.Q(**{f"{name}__icontains": query})
        with contextlib.suppress(ValueError):
            match |= models.Q(code=uuid.UUID(query))
        queryset = source.candidates(label=label).filter(match).order_by("-pk")
        found.extend((source, obj) for obj in queryset[: 10 - len(found)])
        if len(found) >= 10:
            break
    return found
