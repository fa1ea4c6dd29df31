"""Links from evidence items and matters to the label's recordings and works."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from catalog.models import Recording, Work
from optout.models import Label


def _codes(field: str, values: Iterable[Any]) -> list[uuid.UUID]:
    codes = []
    for value in values:
        try:
            codes.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except (TypeError, ValueError, AttributeError):
            raise ValidationError(
                {field: [_("“%(value)s” is not a valid id.") % {"value": str(value)[:60]}]}
            ) from None
    return list(dict.fromkeys(codes))


def _resolve(
    model: type[models.Model], field: str, label: Label, values: Iterable[Any]
) -> list[Any]:
    codes = _codes(field, values)
    if len(codes) > 500:
        raise ValidationError({field: [_("Link at most 500 at a time.")]})
    found = {
        obj.code: obj
        for obj in model.objects.for_label(label).filter(code__in=codes)  # type: ignore[attr-defined]
    }
    missing = [str(c) for c in codes if c not in found]
    if missing:
        raise ValidationError(
            {field: [_("Not in this label: %(ids)s.") % {"ids": ", ".join(missing[:5])}]},
            code="not_found",
        )
    return [found[c] for c in codes]


def catalog_links_resolve(
    *,
    label: Label,
    recordings: Iterable[Any] | None = None,
    works: Iterable[Any] | None = None,
) -> tuple[list[Recording] | None, list[Work] | None]:
    """The label's recordings and works with these ids (None where none were given).

    An id of another label's object is the same error as an unknown id.
    """
    errors: dict[str, list[str]] = {}
    found_recordings = found_works = None
    try:
        if recordings is not None:
            found_recordings = _resolve(Recording, "recordings", label, recordings)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        if works is not None:
            found_works = _resolve(Work, "works", label, works)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return found_recordings, found_works


def link_codes(obj: Any) -> dict[str, list[str]]:
    """The ids of an item's or matter's links, for the ledger."""
    return {
        "recordings": sorted(str(r.code) for r in obj.recordings.all()),
        "works": sorted(str(w.code) for w in obj.works.all()),
    }
