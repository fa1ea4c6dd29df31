"""The catalog's lookups (optout/lookups.py): suggestions while the user types, and one
record found by its public identifier (ISRC, UPC/EAN, ISWC, IPI/ISNI), its code, or its
exact title or name."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from catalog.entities import ENTITIES, Entity, label_rows
from catalog.filters import FILTERSETS
from catalog.selectors.lists import entity_queryset
from optout.lookups import LIMIT, Suggestion
from optout.models import Label

# Lookup kind (the URL's name) -> catalog entity key.
KINDS = {
    "recordings": "recording",
    "works": "work",
    "releases": "release",
    "partners": "partner",
    "parties": "party",
}


def _by_title(entity: Entity, label: Label, text: str) -> Any | None:
    """The one record whose title (or name) is ``text``, ignoring case; None if not one."""
    field = "title" if "title" in entity.search_fields else "name"
    found = list(label_rows(entity.model, label).filter(**{f"{field}__iexact": text})[:2])
    return found[0] if len(found) == 1 else None


def record_by_reference(*, entity: Entity, label: Label, text: str) -> Any | None:
    """The record of ``label`` that ``text`` names, or None.

    ``text`` is a code (UUID), the entity's public identifier in any usual spelling
    (hyphens, spaces, prefixes such as ``ISRC``), or the exact title or name of one record.
    A malformed identifier with no matching title raises the identifier's own error.
    """
    text = text.strip()
    scoped = label_rows(entity.model, label)
    try:
        code = uuid.UUID(text)
    except ValueError:
        pass
    else:
        return scoped.filter(code=code).first()
    keys = [entity.natural_key] if entity.natural_key else list(entity.exact_search)
    problem: ValidationError | None = None
    for field, normalise in keys:
        try:
            value = normalise(text)
        except ValidationError as exc:
            problem = problem or exc
            continue
        found = scoped.filter(**{field: value}).first()
        if found is not None:
            return found
        problem = None  # a well-formed identifier that names nothing here
    titled = _by_title(entity, label, text)
    if titled is not None:
        return titled
    if problem is not None and entity.natural_key is not None:
        raise problem
    return None


def _reference(entity: Entity, obj: Any) -> str:
    """What a picker puts into the field: the identifier as people write it, else the name."""
    if entity.key == "recording" and obj.isrc:
        return str(obj.isrc_display)
    if entity.key == "work" and obj.iswc:
        return str(obj.iswc_display)
    if entity.key == "release" and obj.upc:
        return str(obj.upc_display)
    if entity.key in {"partner", "party"}:
        return str(obj.name)
    return str(obj.code)


def _describe(entity: Entity, obj: Any) -> str:
    parts = [str(obj)]
    artist = getattr(obj, "display_artist", "")
    if artist:
        parts.append(artist)
    reference = _reference(entity, obj)
    if reference != str(obj):
        parts.append(reference)
    return " — ".join(parts)


def catalog_suggestions(*, kind: str, label: Label, query: str) -> list[Suggestion]:
    """Records of ``kind`` matching ``query`` (the list pages' search), at most LIMIT."""
    entity = ENTITIES[KINDS[kind]]
    queryset = entity_queryset(entity=entity, label=label)
    filtered = FILTERSETS[entity.key]({"q": query}, queryset=queryset, label=label).qs
    return [
        Suggestion(value=_reference(entity, obj), text=_describe(entity, obj))
        for obj in filtered[:LIMIT]
    ]


def catalog_resolve(*, kind: str, label: Label, text: str) -> str | None:
    """The code of the record of ``kind`` that ``text`` names, or None."""
    entity = ENTITIES[KINDS[kind]]
    found = record_by_reference(entity=entity, label=label, text=text)
    if found is None:
        return None
    return str(found.code)


def catalog_reference(*, kind: str, label: Label, code: str) -> str:
    """How people name the record of ``kind`` with ``code`` (its identifier), else the code."""
    entity = ENTITIES[KINDS[kind]]
    try:
        found = label_rows(entity.model, label).filter(code=uuid.UUID(code)).first()
    except ValueError:
        return code
    return _reference(entity, found) if found is not None else code


def not_found_message(kind: str, text: str) -> str:
    entity = ENTITIES[KINDS[kind]]
    return _("No %(kind)s of this label matches “%(value)s”.") % {
        "kind": str(entity.title).lower(),
        "value": text,
    }
