"""Music identifiers and territory codes: validated and normalised in one place.

Forms, API serializers and the catalog import all call these functions, so a bad
identifier gets the same specific message everywhere. Each ``normalize_*`` function
returns the stored form or raises ``IdentifierError`` (a Django ``ValidationError`` with a
``code``) that says what is wrong.

* ISRC, ISNI, EAN/UPC and GRid use python-stdnum; ISO 3166-1 territories use pycountry.
* Invisible format characters that copy-and-paste brings along (zero-width spaces and
  joiners, word joiner, BOM, no-break space) are removed before any check.
* ISWC and IPI name numbers are not in stdnum: their check digits are computed here
  (ISO 15707 and the CISAC mod-101 rule, see docs/catalog.md).
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import operator
import re
from collections.abc import Iterable
from functools import lru_cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from stdnum import ean, grid, isni, isrc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

WORLDWIDE = "Worldwide"


class IdentifierError(ValidationError):
    """An identifier that fails its rules; ``code`` names which rule."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)
        self.reason = message


# U+200B to U+200D (zero-width space, non-joiner, joiner), U+2060 (word joiner), U+FEFF (BOM /
# zero-width no-break space) and U+00A0 (no-break space): invisible in a spreadsheet cell.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00a0"))


def strip_invisible(value: str) -> str:
    """The value without invisible format characters (see ``_INVISIBLE``)."""
    return value.translate(_INVISIBLE) if value and not value.isascii() else value


def _strip_prefix(value: str, prefix: str) -> str:
    if value[: len(prefix)].upper() == prefix:
        return value[len(prefix) :].lstrip(" :")
    return value


# --- ISRC (ISO 3901) -----------------------------------------------------------------------

_ISRC_SEPARATORS = re.compile(r"[\s\-]+")


# stdnum's own pattern and prefix list: a value already in stored form is checked without
# stdnum's character-by-character clean-up (the import meets 100k of them), same verdict.
_ISRC_STORED = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")
_ISRC_PREFIXES = frozenset(isrc._country_codes)


def normalize_isrc(value: str) -> str:
    """``CC XXX YY NNNNN`` in any common spelling → the 12-character stored form."""
    value = strip_invisible(value)
    compact = value.replace("-", "").replace(" ", "")
    if _ISRC_STORED.match(compact) and compact[:2] in _ISRC_PREFIXES:
        return compact
    raw = (value or "").strip()
    if not raw:
        raise IdentifierError(_("Enter an ISRC."), "isrc_empty")
    compact = _ISRC_SEPARATORS.sub("", _strip_prefix(raw, "ISRC")).upper()
    try:
        return str(isrc.validate(compact))
    except InvalidLength:
        raise IdentifierError(
            _(
                "An ISRC has 12 characters (2-letter prefix, 3 registrant characters, "
                "2-digit year, 5-digit number); “%(value)s” has %(n)d."
            )
            % {"value": raw, "n": len(compact)},
            "isrc_length",
        ) from None
    except InvalidComponent:
        raise IdentifierError(
            _(
                "“%(value)s” starts with “%(prefix)s”, which is not an allocated ISRC "
                "prefix (e.g. GB, SE, US, QM)."
            )
            % {"value": raw, "prefix": compact[:2]},
            "isrc_prefix",
        ) from None
    except StdnumError:
        raise IdentifierError(
            _(
                "An ISRC is 2 letters, 3 letters or digits, then 7 digits; “%(value)s” "
                "does not fit that pattern."
            )
            % {"value": raw},
            "isrc_format",
        ) from None


def format_isrc(value: str) -> str:
    return str(isrc.format(value)) if value else ""


# --- ISWC (ISO 15707) ----------------------------------------------------------------------

_ISWC_SEPARATORS = re.compile(r"[\s\-.]+")
_ISWC_RE = re.compile(r"^T[0-9]{10}$")


def iswc_check_digit(nine_digits: str) -> int:
    """ISO 15707: S = 1 + Σ i·dᵢ (the T counts as 1); C = (10 - S mod 10) mod 10."""
    total = 1 + int(sum(map(operator.mul, range(1, 10), map(int, nine_digits))))
    return (10 - total % 10) % 10


_ISWC_COMMON = re.compile(r"^T-?([0-9]{3})\.?([0-9]{3})\.?([0-9]{3})-?([0-9])$")


@lru_cache(maxsize=65536)
def normalize_iswc(value: str) -> str:
    """``T-DDD.DDD.DDD-C`` in any common spelling → ``T`` + 10 digits."""
    value = strip_invisible(value)
    common = _ISWC_COMMON.match(value)
    if common:
        digits = common.group(1) + common.group(2) + common.group(3)
        if iswc_check_digit(digits) == int(common.group(4)):
            return f"T{digits}{common.group(4)}"
    raw = (value or "").strip()
    if not raw:
        raise IdentifierError(_("Enter an ISWC."), "iswc_empty")
    compact = _ISWC_SEPARATORS.sub("", _strip_prefix(raw, "ISWC")).upper()
    if not compact.startswith("T"):
        raise IdentifierError(
            _("An ISWC starts with T (as in T-034.524.680-1); “%(value)s” does not.")
            % {"value": raw},
            "iswc_prefix",
        )
    if not _ISWC_RE.match(compact):
        raise IdentifierError(
            _(
                "An ISWC is T, 9 digits and a check digit (T-DDD.DDD.DDD-C); “%(value)s” "
                "has %(n)d digits."
            )
            % {"value": raw, "n": sum(c.isdigit() for c in compact)},
            "iswc_format",
        )
    if iswc_check_digit(compact[1:10]) != int(compact[10]):
        raise IdentifierError(
            _("The check digit of ISWC “%(value)s” does not match: check for a typing error.")
            % {"value": raw},
            "iswc_checksum",
        )
    return compact


def format_iswc(value: str) -> str:
    if not value:
        return ""
    return f"T-{value[1:4]}.{value[4:7]}.{value[7:10]}-{value[10]}"


# --- UPC / EAN, stored as GTIN-13 ----------------------------------------------------------

_GTIN_SEPARATORS = re.compile(r"[\s\-]+")
# What Excel shows (and then saves) for a 12- or 13-digit number: 8.59727E+11.
_SCIENTIFIC = re.compile(r"^[0-9]+([.,][0-9]+)?[eE]\+?[0-9]+$")


@lru_cache(maxsize=65536)
def normalize_gtin13(value: str, *, pad_short: bool = False) -> str:
    """A release barcode (12-digit UPC-A or 13-digit EAN) → its 13-digit GTIN.

    ``pad_short`` restores the leading zero that spreadsheets drop from UPCs (11 digits);
    imports use it, forms do not.
    """
    raw = strip_invisible(value or "").strip()
    if not raw:
        raise IdentifierError(_("Enter a UPC or EAN."), "gtin_empty")
    if _SCIENTIFIC.match(raw):
        raise IdentifierError(
            _(
                "“%(value)s” is a barcode that a spreadsheet turned into a number in "
                "scientific notation; its last digits are lost. Format the column as text "
                "and export the file again."
            )
            % {"value": raw},
            "gtin_scientific",
        )
    compact = _GTIN_SEPARATORS.sub("", raw)
    if not compact.isascii() or not compact.isdigit():
        raise IdentifierError(
            _("A UPC or EAN has digits only; “%(value)s” has other characters.") % {"value": raw},
            "gtin_format",
        )
    if pad_short and len(compact) == 11:
        compact = "0" + compact
    if len(compact) == 14 and compact.startswith("0"):
        compact = compact[1:]
    if len(compact) not in (12, 13):
        raise IdentifierError(
            _(
                "A release barcode is a 12-digit UPC or a 13-digit EAN; “%(value)s” has "
                "%(n)d digits."
            )
            % {"value": raw, "n": len(compact)},
            "gtin_length",
        )
    try:
        ean.validate(compact)
    except InvalidChecksum:
        raise IdentifierError(
            _("The check digit of “%(value)s” does not match: check for a typing error.")
            % {"value": raw},
            "gtin_checksum",
        ) from None
    except StdnumError:  # pragma: no cover - digits and length were checked above
        raise IdentifierError(
            _("“%(value)s” is not a valid UPC or EAN.") % {"value": raw}, "gtin_format"
        ) from None
    return compact.zfill(13)


def format_upc(gtin13: str) -> str:
    """The UPC-A spelling of a GTIN-13 that starts with 0, else the EAN itself."""
    return gtin13[1:] if gtin13.startswith("0") else gtin13


# --- GRid (Global Release Identifier) and proprietary release ids -------------------------


def normalize_grid(value: str) -> str:
    """18 characters (``A1-2425G-ABC1234002-M``), ISO 7064 Mod 37,36 check character."""
    raw = strip_invisible(value or "").strip()
    if not raw:
        raise IdentifierError(_("Enter a GRid."), "grid_empty")
    try:
        return str(grid.validate(raw))
    except InvalidChecksum:
        raise IdentifierError(
            _("The check character of GRid “%(value)s” does not match: check for a typing error.")
            % {"value": raw},
            "grid_checksum",
        ) from None
    except StdnumError:
        raise IdentifierError(
            _("A GRid has 18 letters and digits (A1-2425G-ABC1234002-M); “%(value)s” is not one.")
            % {"value": raw},
            "grid_format",
        ) from None


PROPRIETARY_ID_MAX = 200
PROPRIETARY_NAMESPACE_MAX = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalize_proprietary_id(value: str, *, namespace: str = "") -> tuple[str, str]:
    """A sender's own release id (DDEX ``ProprietaryId`` and its ``Namespace``, usually
    the sender's DPID) → ``(namespace, id)``, trimmed; no format beyond that is implied."""
    raw = strip_invisible(value or "").strip()
    space = strip_invisible(namespace or "").strip()
    if not raw:
        raise IdentifierError(_("Enter a proprietary id."), "proprietary_empty")
    if len(raw) > PROPRIETARY_ID_MAX or len(space) > PROPRIETARY_NAMESPACE_MAX:
        raise IdentifierError(
            _("A proprietary id has at most %(n)d characters and its namespace %(m)d.")
            % {"n": PROPRIETARY_ID_MAX, "m": PROPRIETARY_NAMESPACE_MAX},
            "proprietary_length",
        )
    if _CONTROL.search(raw) or _CONTROL.search(space):
        raise IdentifierError(
            _("The proprietary id “%(value)s” contains control characters.") % {"value": raw},
            "proprietary_format",
        )
    return space, raw


# --- IPI name number (CISAC) ---------------------------------------------------------------

_IPI_SEPARATORS = re.compile(r"[\s\-.]+")
_IPI_BASE_RE = re.compile(r"^I-?[0-9]{9}-?[0-9]$", re.IGNORECASE)


def ipi_check_digits(nine_digits: str) -> str:
    """Mod 101: T = Σ dᵢ·(10-i) mod 101; check = 00 if T = 0 else (101 - T) mod 100."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine_digits)) % 101
    return "00" if total == 0 else f"{(101 - total) % 100:02d}"


def normalize_ipi(value: str) -> str:
    """An 11-digit IPI name number (leading zeros kept)."""
    raw = strip_invisible(value or "").strip()
    if not raw:
        raise IdentifierError(_("Enter an IPI name number."), "ipi_empty")
    if _IPI_BASE_RE.match(raw.replace(" ", "")):
        raise IdentifierError(
            _(
                "“%(value)s” is an IPI base number (I-NNNNNNNNN-C); enter the 11-digit IPI "
                "name number instead."
            )
            % {"value": raw},
            "ipi_base_number",
        )
    compact = _IPI_SEPARATORS.sub("", _strip_prefix(raw, "IPI"))
    if not compact.isascii() or not compact.isdigit():
        raise IdentifierError(
            _("An IPI name number has digits only; “%(value)s” has other characters.")
            % {"value": raw},
            "ipi_format",
        )
    if len(compact) != 11:
        raise IdentifierError(
            _("An IPI name number has 11 digits (keep leading zeros); “%(value)s” has %(n)d.")
            % {"value": raw, "n": len(compact)},
            "ipi_length",
        )
    if ipi_check_digits(compact[:9]) != compact[9:]:
        raise IdentifierError(
            _(
                "The check digits of IPI name number “%(value)s” do not match: check for a "
                "typing error."
            )
            % {"value": raw},
            "ipi_checksum",
        )
    return compact


# --- ISNI (ISO 27729) ----------------------------------------------------------------------

_ISNI_URL = re.compile(r"^https?://(www\.)?isni\.org/(isni/)?", re.IGNORECASE)


def normalize_isni(value: str) -> str:
    """16 characters (15 digits and a check character 0-9 or X)."""
    raw = strip_invisible(value or "").strip()
    if not raw:
        raise IdentifierError(_("Enter an ISNI."), "isni_empty")
    compact = _ISNI_URL.sub("", raw)
    compact = re.sub(r"[\s\-]+", "", _strip_prefix(compact, "ISNI")).upper()
    try:
        return str(isni.validate(compact))
    except InvalidLength:
        raise IdentifierError(
            _("An ISNI has 16 characters (15 digits and a check character); “%(value)s” has %(n)d.")
            % {"value": raw, "n": len(compact)},
            "isni_length",
        ) from None
    except InvalidChecksum:
        raise IdentifierError(
            _("The check character of ISNI “%(value)s” does not match: check for a typing error.")
            % {"value": raw},
            "isni_checksum",
        ) from None
    except (InvalidFormat, StdnumError):
        raise IdentifierError(
            _("An ISNI is 15 digits and a check character 0-9 or X; “%(value)s” is not.")
            % {"value": raw},
            "isni_format",
        ) from None


def format_isni(value: str) -> str:
    return " ".join(value[i : i + 4] for i in range(0, 16, 4)) if value else ""


# --- Territories (ISO 3166-1 alpha-2 and the DDEX extras) ----------------------------------

# DDEX AVS CurrentTerritoryCode beyond ISO 3166-1: withdrawn codes DDEX still lists, Kosovo
# (user-assigned) and three Spanish subdivisions.
_DDEX_EXTRA_TERRITORIES = frozenset({"XK", "AN", "CS", "ES-CE", "ES-CN", "ES-ML"})
_ISO_TERRITORIES = frozenset(c.alpha_2 for c in pycountry.countries)
TERRITORY_CODES = _ISO_TERRITORIES | _DDEX_EXTRA_TERRITORIES
_TERRITORY_HINTS = {"UK": "GB", "WW": WORLDWIDE, "WORLD": WORLDWIDE, "EL": "GR"}


def normalize_territory(value: str) -> str:
    """One territory: ``Worldwide`` or an ISO 3166-1 alpha-2 code (DDEX extras allowed)."""
    raw = (value or "").strip()
    if not raw:
        raise IdentifierError(_("Enter a territory code."), "territory_empty")
    if raw == WORLDWIDE:
        return WORLDWIDE
    upper = raw.upper()
    if upper in TERRITORY_CODES and (len(raw) == 2 or raw == upper):
        return upper
    hint = _TERRITORY_HINTS.get(upper) or (WORLDWIDE if upper == "WORLDWIDE" else None)
    if hint:
        raise IdentifierError(
            _("“%(value)s” is not a territory code; write “%(hint)s”.")
            % {"value": raw, "hint": hint},
            "territory_unknown",
        )
    raise IdentifierError(
        _(
            "“%(value)s” is not a territory code: use ISO 3166-1 two-letter codes (SE, GB, "
            "US…) or “Worldwide”."
        )
        % {"value": raw},
        "territory_unknown",
    )


_TERRITORY_SPLIT = re.compile(r"[\s,;|]+")


def normalize_territories(value: str | Iterable[str] | None) -> list[str]:
    """A list of territories (a string is split on commas, semicolons, bars or spaces).

    Duplicates are dropped, order is kept. ``Worldwide`` stands alone. Every bad code is
    named in one error.
    """
    if value is None:
        return []
    items = _TERRITORY_SPLIT.split(value) if isinstance(value, str) else list(value)
    found: list[str] = []
    bad: list[str] = []
    for item in items:
        if not isinstance(item, str):
            bad.append(str(item))
            continue
        if not item.strip():
            continue
        try:
            code = normalize_territory(item)
        except IdentifierError as exc:
            bad.append(exc.reason)
            continue
        if code not in found:
            found.append(code)
    if bad:
        raise IdentifierError(" ".join(bad), "territory_unknown")
    if WORLDWIDE in found and len(found) > 1:
        raise IdentifierError(
            _("“Worldwide” already covers every territory; list no other code with it."),
            "territory_worldwide_alone",
        )
    return found


def validate_exclusions(territories: list[str], excluded: list[str]) -> None:
    """Exclusions are only meaningful against ``Worldwide`` (as in DDEX deal terms)."""
    if not excluded:
        return
    if territories != [WORLDWIDE]:
        raise IdentifierError(
            _("Exclusions need “Worldwide” as the territory (worldwide except these)."),
            "territory_exclusions",
        )
    if WORLDWIDE in excluded:
        raise IdentifierError(_("“Worldwide” cannot be excluded."), "territory_exclusions")


@functools.cache
def _country_names(language: str) -> gettext_module.NullTranslations:
    """pycountry's translations of the ISO 3166-1 names (the gettext domain ``iso3166-1``)."""
    return gettext_module.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def territory_name(code: str) -> str:
    """The territory's name in the reader's language (the code itself when unknown)."""
    if code == WORLDWIDE:
        return str(_("Worldwide"))
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    language = (translation.get_language() or "en").split("-")[0]
    return _country_names(language).gettext(str(country.name))
