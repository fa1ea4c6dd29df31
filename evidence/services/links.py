"""Links from evidence items and matters to the label's recordings and works."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from catalog.identifiers import normalize_isrc, normalize_iswc
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


_TOKENS = re.compile(r"[\s,;]+")


def _lookup_text(
    *,
    label: Label,
    text: str,
    field: str,
    model: type[models.Model],
    identifier: str,
    normalise: Any,
    what: str,
) -> list[uuid.UUID]:
    codes: list[uuid.UUID] = []
    errors: list[str] = []
    for token in (t for t in _TOKENS.split(text or "") if t):
        try:
            codes.append(uuid.UUID(token))
            continue
        except ValueError:
            pass
        try:
            value = normalise(token)
        except ValidationError as exc:
            errors.append(f"{token[:40]}: {exc.messages[0]}")
            continue
        found = (
            model.objects.for_label(label)  # type: ignore[attr-defined]
            .filter(**{identifier: value})
            .values_list("code", flat=True)
            .first()
        )
        if found is None:
            errors.append(
                _("No %(what)s %(value)s in this label.") % {"what": what, "value": token[:40]}
            )
        else:
            codes.append(found)
    if errors:
        raise ValidationError({field: errors})
    return codes


def catalog_codes_from_text(
    *, label: Label, recordings: str, works: str
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """Recordings and works typed by people: ISRCs / ISWCs (any spelling) or ids."""
    errors: dict[str, list[str]] = {}
    found_recordings: list[uuid.UUID] = []
    found_works: list[uuid.UUID] = []
    try:
        found_recordings = _lookup_text(
            label=label,
            text=recordings,
            field="recordings",
            model=Recording,
            identifier="isrc",
            normalise=normalize_isrc,
            what=_("recording with the ISRC"),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        found_works = _lookup_text(
            label=label,
            text=works,
            field="works",
            model=Work,
            identifier="iswc",
            normalise=normalize_iswc,
            what=_("work with the ISWC"),
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return found_recordings, found_works
