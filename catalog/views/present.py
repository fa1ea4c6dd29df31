"""How records appear on pages: list columns and the facts of a detail page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from catalog import identifiers
from catalog.entities import ENTITIES, Entity, entity_for_model


@dataclass(frozen=True)
class Column:
    title: Any
    value: Callable[[Any], Any]


def _choice(name: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(obj, f"get_{name}_display")()


def _territories(obj: Any) -> str:
    return ", ".join(obj.territories or [])


COLUMNS: dict[str, list[Column]] = {
    "recording": [
        Column(_("Title"), lambda o: str(o)),
        Column(_("Artist"), lambda o: o.display_artist),
        Column(_("ISRC"), lambda o: o.isrc_display),
        Column(_("Duration"), lambda o: o.duration_display),
    ],
    "release": [
        Column(_("Title"), lambda o: o.title),
        Column(_("Artist"), lambda o: o.display_artist),
        Column(_("UPC/EAN"), lambda o: o.upc_display),
        Column(_("Type"), _choice("release_type")),
        Column(_("Date"), lambda o: o.release_date or ""),
    ],
    "work": [
        Column(_("Title"), lambda o: o.title),
        Column(_("ISWC"), lambda o: o.iswc_display),
    ],
    "party": [
        Column(_("Name"), lambda o: o.name),
        Column(_("Kind"), _choice("kind")),
        Column(_("IPI"), lambda o: o.ipi),
        Column(_("ISNI"), lambda o: o.isni_display),
    ],
    "partner": [
        Column(_("Name"), lambda o: o.name),
        Column(_("Kind"), _choice("kind")),
        Column(_("Territories"), _territories),
    ],
    "contract": [
        Column(_("Title"), lambda o: o.title),
        Column(_("Kind"), _choice("kind")),
        Column(_("AI training"), _choice("ai_training")),
        Column(_("Voice"), _choice("ai_voice")),
        Column(_("Sublicensing"), _choice("ai_sublicensing")),
    ],
    "consent": [
        Column(_("Title"), lambda o: o.title),
        Column(_("Kind"), _choice("kind")),
        Column(_("Given by"), lambda o: o.party or ""),
        Column(_("Granted"), lambda o: o.granted_on or ""),
    ],
    "contribution": [
        Column(_("Title"), lambda o: o.title),
        Column(_("Kind"), _choice("kind")),
        Column(_("Recording"), lambda o: o.recording),
        Column(_("Made on"), lambda o: o.made_on or ""),
    ],
    "toolterm": [
        Column(_("Tool"), lambda o: str(o)),
        Column(_("Terms dated"), lambda o: o.terms_date or ""),
        Column(_("Exported on"), lambda o: o.exported_on or ""),
    ],
    "marketnote": [
        Column(_("Platform"), lambda o: o.platform),
        Column(_("Recording"), lambda o: o.recording),
        Column(_("Territories"), _territories),
        Column(_("Uploaded"), lambda o: o.uploaded_on or ""),
    ],
}

# sort_title is the list order's key (case folded, with a control character), not a fact.
_HIDDEN = {"id", "label", "code", "notes", "updated_at", "sort_title"}
_IDENTIFIER_DISPLAY: dict[str, Callable[[str], str]] = {
    "isrc": identifiers.format_isrc,
    "iswc": identifiers.format_iswc,
    "isni": identifiers.format_isni,
    "upc": identifiers.format_upc,
}


@dataclass(frozen=True)
class Fact:
    title: str
    text: str = ""
    links: tuple[tuple[str, str | None], ...] = ()


def record_url(obj: Any, slug: str) -> str | None:
    try:
        entity = entity_for_model(type(obj))
    except KeyError:
        return None
    return reverse(f"catalog:{entity.key}", kwargs={"slug": slug, "code": obj.code})


def facts(entity: Entity, obj: Any, *, slug: str) -> list[Fact]:
    found: list[Fact] = []
    hidden = _HIDDEN | {entity.file_field or "", entity.file_name_field or ""}
    for field in obj._meta.get_fields():
        if field.auto_created or field.name in hidden or not getattr(field, "concrete", True):
            continue
        title = str(capfirst(getattr(field, "verbose_name", field.name)))
        if field.many_to_many:
            related = list(getattr(obj, field.name).all()[:200])
            found.append(Fact(title, links=tuple((str(r), record_url(r, slug)) for r in related)))
            continue
        value = getattr(obj, field.name)
        if isinstance(field, models.ForeignKey):
            if value is not None:
                found.append(Fact(title, links=((str(value), record_url(value, slug)),)))
            else:
                found.append(Fact(title))
            continue
        if field.choices:
            text = str(getattr(obj, f"get_{field.name}_display")())
        elif field.name in _IDENTIFIER_DISPLAY:
            text = _IDENTIFIER_DISPLAY[field.name](value) if value else ""
        elif field.name == "duration_ms":
            title, text = str(_("Duration")), obj.duration_display
        elif field.name == "roles":
            from catalog.models import PartyRole

            labels = dict(PartyRole.choices)
            text = ", ".join(str(labels.get(r, r)) for r in value or [])
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif value is None:
            text = ""
        elif isinstance(value, datetime.datetime):
            text = date_format(timezone.localtime(value), "DATETIME_FORMAT")
        elif isinstance(value, datetime.date):
            text = date_format(value, "DATE_FORMAT")
        else:
            text = str(value)
        found.append(Fact(title, text))
    return found


__all__ = ["COLUMNS", "ENTITIES", "Fact", "facts", "record_url"]
