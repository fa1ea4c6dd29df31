"""Words stored as facts: a message id and its parameters, rendered in the reader's language.

A job title or a matter item's title written with ``gettext`` at the moment it was made
would stay in the language of whoever (or whichever worker) made it. Instead the row keeps
``{"msgid": <English source text>, "args": {...}}`` and every page renders it with
``gettext`` in its reader's language. The English text is the message id with its
parameters, so rows also keep a readable English copy for the API, logs and packets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext


def message_store(msgid: str, args: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a row keeps: the (untranslated) message id and JSON-safe parameters."""
    return {"msgid": msgid, "args": {k: str(v) for k, v in (args or {}).items()}}


def message_english(stored: Mapping[str, Any]) -> str:
    """The message in the language of its id (English), with its parameters."""
    return _format(str(stored.get("msgid") or ""), stored.get("args"))


def message_render(stored: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The message in the active language; ``fallback`` for a row written before messages
    were stored (it is translated too when it happens to be a message id, e.g. a fixed
    job title)."""
    msgid = str((stored or {}).get("msgid") or "")
    if not msgid:
        return gettext(fallback) if fallback else ""
    translated = _format(gettext(msgid), (stored or {}).get("args"))
    return translated or fallback


def _format(text: str, args: Any) -> str:
    if not args:
        return text
    try:
        return text % dict(args)
    except (KeyError, ValueError, TypeError):
        return text
