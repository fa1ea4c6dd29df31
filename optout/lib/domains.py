"""Web domains a label owns: normalised to lower-case IDNA host names."""

from __future__ import annotations

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(value: str) -> str:
    """``https://Shop.Example.com/path`` -> ``shop.example.com``; refuses IPs and ports."""
    text = (value or "").strip().lower()
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = text.split("/", 1)[0].rstrip(".")
    if not text:
        raise ValidationError({"domain": _("Enter a domain such as example.com.")})
    if ":" in text or "@" in text:
        raise ValidationError({"domain": _("Enter the domain only, without a port or user.")})
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        raise ValidationError({"domain": _("Enter a domain name, not an IP address.")})
    try:
        ascii_name = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError({"domain": _("This is not a valid domain name.")}) from None
    parts = ascii_name.split(".")
    if len(parts) < 2 or len(ascii_name) > 253 or not all(_LABEL.match(p) for p in parts):
        raise ValidationError({"domain": _("This is not a valid domain name.")})
    if parts[-1].isdigit():
        raise ValidationError({"domain": _("This is not a valid domain name.")})
    return ascii_name
