"""The territory of a matter: one ISO 3166-1 country, or the whole world."""

from __future__ import annotations

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WORLDWIDE = "Worldwide"
_WORLD_SPELLINGS = {"worldwide", "world", "ww", "*"}


def territory_normalise(value: str) -> str:
    """``"se"`` → ``"SE"``, ``"SWE"`` → ``"SE"``, ``"world"`` → ``"Worldwide"``; blank stays."""
    text = (value or "").strip()
    if not text:
        return ""
    if text.lower() in _WORLD_SPELLINGS:
        return WORLDWIDE
    country = None
    if len(text) == 2 and text.isascii() and text.isalpha():
        country = pycountry.countries.get(alpha_2=text.upper())
    elif len(text) == 3 and text.isascii() and text.isalpha():
        country = pycountry.countries.get(alpha_3=text.upper())
    if country is None:
        raise ValidationError(
            _("“%(value)s” is not an ISO 3166 country code (such as SE or US) or “Worldwide”.")
            % {"value": text[:40]},
            code="territory",
        )
    return str(country.alpha_2)


def territory_name(code: str) -> str:
    if not code or code == WORLDWIDE:
        return _("Worldwide") if code else ""
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name) if country is not None else code


def territory_choices() -> list[tuple[str, str]]:
    countries = sorted(pycountry.countries, key=lambda c: c.name)
    return [(WORLDWIDE, _("Worldwide"))] + [(str(c.alpha_2), str(c.name)) for c in countries]
