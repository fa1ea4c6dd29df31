"""The base querysets of the catalog lists and detail pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from catalog.entities import Entity, label_rows
from catalog.models import (
    RecordingPerformer,
    ReleaseTrack,
    WorkWriter,
)
from optout.models import Label

_RELATED: dict[str, tuple[str, ...]] = {
    "recording": ("work",),
    "contract": ("partner", "document"),
    "consent": ("party", "document"),
    "contribution": ("recording", "contributor", "file"),
    "toolterm": ("document",),
    "marketnote": ("recording", "file"),
}


def entity_queryset(*, entity: Entity, label: Label) -> QuerySet[Any]:
    # No join for ``label``: for_label hands every row its label.
    queryset: QuerySet[Any] = label_rows(entity.model, label)
    related = _RELATED.get(entity.key, ())
    # (select_related() with no names would follow every foreign key.)
    return queryset.select_related(*related) if related else queryset


def entity_detail_queryset(*, entity: Entity, label: Label) -> QuerySet[Any]:
    queryset = entity_queryset(entity=entity, label=label)
    if entity.key == "work":
        queryset = queryset.prefetch_related(
            Prefetch(
                "writers", queryset=WorkWriter.objects.for_label(label).select_related("party")
            )
        )
    elif entity.key == "recording":
        queryset = queryset.prefetch_related(
            Prefetch(
                "performers",
                queryset=RecordingPerformer.objects.for_label(label).select_related("party"),
            )
        )
    elif entity.key == "release":
        queryset = queryset.prefetch_related(
            Prefetch(
                "tracks",
                queryset=ReleaseTrack.objects.for_label(label).select_related("recording"),
            )
        )
    elif entity.key == "partner":
        queryset = queryset.prefetch_related("contacts")
    return queryset
