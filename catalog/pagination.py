"""Keyset pages over (sort column, code): constant cost at any depth, no COUNT(*).

A cursor is an opaque token holding the sort value and code of the row it continues
from and the direction. The query adds ``column >= value`` (so the composite index
``(label, column, code)`` starts there) and the exact tie-break on ``code``.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q

from catalog.entities import Sort


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None
    previous_cursor: str | None


def _encode(value: Any, code: uuid.UUID, *, backwards: bool) -> str:
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    raw = json.dumps({"v": value, "c": str(code), "b": backwards}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(token: str) -> tuple[Any, uuid.UUID, bool]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        value = data["v"]
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["t"])
        elif not isinstance(value, str):
            raise InvalidCursor
        return value, uuid.UUID(data["c"]), bool(data["b"])
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InvalidCursor from None


def keyset_page(
    queryset: models.QuerySet[Any],
    *,
    sort: Sort,
    cursor: str | None,
    page_size: int,
    rows_from: models.QuerySet[Any] | None = None,
) -> Page:
    """One page of ``queryset`` in ``sort`` order (``-`` prefix = descending).

    With ``rows_from`` (for searches) the page's ids are found in ``queryset`` before its
    rows are read from ``rows_from`` (the same records, unfiltered): the walk over the
    sort order that skips non-matching rows can then be answered from an index alone (see
    catalog migration 0014), and only the page's rows are read. The search's conditions
    must follow the table's alias (``optout.lib.sql.TableSQL``, not ``RawSQL``), since the
    walk runs as a subquery."""
    column = sort.field
    descending = sort.key.startswith("-")
    backwards = False
    if cursor:
        value, code, backwards = _decode(cursor)
        # Walking forwards in a descending order, or backwards in an ascending one, means
        # rows *before* the cursor in the column's natural order.
        before = descending != backwards
        if before:
            queryset = queryset.filter(
                Q(**{f"{column}__lte": value}) & (Q(**{f"{column}__lt": value}) | Q(code__lt=code))
            )
        else:
            queryset = queryset.filter(
                Q(**{f"{column}__gte": value}) & (Q(**{f"{column}__gt": value}) | Q(code__gt=code))
            )
    reverse = descending != backwards
    order = (f"-{column}", "-code") if reverse else (column, "code")
    ordered = queryset.order_by(*order)
    if rows_from is not None:
        # One statement: the page's ids are found by the walk in a subquery, then only
        # their rows are read (a second round trip cost more than the rows themselves),
        # without checking the search's conditions on them a second time.
        ids = ordered.values("pk")[: page_size + 1]
        rows = list(rows_from.filter(pk__in=ids).order_by(*order))
    else:
        rows = list(ordered[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    if not rows:
        return Page([], None, None)
    first, last = rows[0], rows[-1]
    has_next = more if not backwards else True
    has_previous = bool(cursor) if not backwards else more
    return Page(
        items=rows,
        next_cursor=(
            _encode(getattr(last, column), last.code, backwards=False) if has_next else None
        ),
        previous_cursor=(
            _encode(getattr(first, column), first.code, backwards=True) if has_previous else None
        ),
    )
