"""Pickers that search as you type: a registry of lookups, one per kind of record.

A form field names a kind (``recordings``, ``works``, ``releases``, ``partners``,
``matter-items``…); its widget (``LookupInput``) carries that name, and ``static/js/lookup.js``
asks ``/l/<slug>/lookup/<kind>/?q=`` for suggestions while the user types. Without
JavaScript the field stays a text field that accepts the public identifier (ISRC, UPC/EAN,
ISWC) or the code.

The core (layer 1) defines the registry; the apps that own the records register their
lookups from ``registrations.py``, so a lower layer (the policy's catalog scope) can turn a
public identifier into a code without importing the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from optout.models import Label

LIMIT = 10


@dataclass(frozen=True)
class Suggestion:
    value: str
    """What goes into the field: the public identifier where there is one, else the code."""
    text: str
    """What the user reads: title, identifier, artist."""


@dataclass(frozen=True)
class Lookup:
    kind: str
    title: str | Promise
    search: Callable[[Label, str, str], list[Suggestion]]
    """(label, query, within) -> at most ``LIMIT`` suggestions of this label's records.
    ``within`` narrows the search where a kind has sub-kinds (a matter item's source)."""
    resolve: Callable[[Label, str], str | None] | None = None
    """(label, text) -> the record's code for an identifier or code, None when no record of
    the label matches; raises ValidationError naming what is wrong with a malformed one."""
    reference: Callable[[Label, str], str] | None = None
    """(label, code) -> how people name that record (its ISRC, UPC/EAN, ISWC, name), or
    the code itself when it has none: what a form shows back for a stored code."""


_LOOKUPS: dict[str, Lookup] = {}


def register_lookup(lookup: Lookup) -> None:
    _LOOKUPS[lookup.kind] = lookup


def lookup_for(kind: str) -> Lookup | None:
    return _LOOKUPS.get(kind)


def lookup_resolve(*, label: Label, kind: str, text: str) -> str | None:
    """The code of the ``kind`` record that ``text`` names (identifier or code), or None."""
    lookup = _LOOKUPS.get(kind)
    if lookup is None or lookup.resolve is None:
        return None
    return lookup.resolve(label, text)


def lookup_reference(*, label: Label, kind: str, code: str) -> str:
    """The public identifier of the ``kind`` record with ``code``, else ``code``."""
    lookup = _LOOKUPS.get(kind)
    if lookup is None or lookup.reference is None:
        return code
    return lookup.reference(label, code)


class LookupInput(forms.TextInput):
    """A text field that suggests records of ``kind`` as the user types (lookup.js)."""

    def __init__(self, kind: str, *, within_field: str = "", attrs: dict[str, Any] | None = None):
        merged = {"data-lookup": kind, "autocomplete": "off", **(attrs or {})}
        if within_field:
            merged["data-lookup-within"] = within_field
        super().__init__(attrs=merged)


class LookupTextarea(forms.Textarea):
    """Several records, one per line: a search box beside it adds each one picked."""

    def __init__(self, kind: str, *, attrs: dict[str, Any] | None = None):
        super().__init__(
            attrs={
                "rows": 2,
                "data-lookup": kind,
                "data-lookup-multiple": "",
                "data-lookup-add-label": _("Search to add…"),
                **(attrs or {}),
            }
        )
