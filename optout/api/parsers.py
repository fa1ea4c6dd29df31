"""The API's JSON parser: malformed input is a 400 in the error shape, never a crash.

DRF's JSONParser lets two inputs through that later fail as server errors:

* deeply nested JSON makes Python's decoder raise ``RecursionError``;
* a lone UTF-16 surrogate (``"\\ud800"``) decodes to a Python string that cannot be encoded
  as UTF-8, so it fails only when the database driver encodes it at save time.

Both are refused here, once, for every endpoint. Form and multipart bodies cannot carry
lone surrogates: Django decodes them with replacement characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

# Deeper than any document the API accepts; well inside Python's recursion limit.
MAX_DEPTH = 64


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _path(parts: list[str | int]) -> str:
    return ".".join(str(p) for p in parts) or "non_field_errors"


def check_json_value(data: Any) -> None:
    """Raise ParseError when ``data`` nests deeper than MAX_DEPTH, and ValidationError
    naming the field when a string (or key) holds a lone surrogate."""
    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise exceptions.ParseError(
                _("JSON nested deeper than %(depth)d levels is not accepted.")
                % {"depth": MAX_DEPTH}
            )
        if isinstance(value, str):
            if _has_lone_surrogate(value):
                raise exceptions.ValidationError(
                    {_path(path): [_("Text must not contain unpaired surrogate characters.")]}
                )
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if _has_lone_surrogate(str(key)):
                    raise exceptions.ValidationError(
                        {_path(path): [_("A field name contains unpaired surrogate characters.")]}
                    )
                stack.append((item, [*path, str(key)]))
        elif isinstance(value, list):
            stack.extend((item, [*path, index]) for index, item in enumerate(value))


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON parse error - the document is nested too deeply.")
            ) from None
        check_json_value(data)
        return data
