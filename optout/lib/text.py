"""Validators for single-line text that people name things with."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def refuse_control_characters(value: str) -> None:
    """A one-line name must not hold line breaks or other control characters: they split
    log lines, e-mail headers and CSV rows that the name is written into."""
    for character in value:
        if unicodedata.category(character) in {"Cc", "Zl", "Zp"}:
            raise ValidationError(
                _("Use one line of text without control characters (found U+%(code)04X)."),
                code="control_character",
                params={"code": ord(character)},
            )
