"""How letters print the moments they cite: in UTC to the second, the same in every letter
(their headings say "UTC").

A takedown's facts are frozen as ISO 8601 text; printed raw they read
``2026-12-06T04:37:35.421878+00:00``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import template

register = template.Library()


@register.filter
def letter_time(value: str | datetime | None) -> str:
    """``2026-12-06 04:37:35`` in UTC; a date alone stays ``2026-12-06``; anything else as
    given."""
    if not value:
        return ""
    moment = value
    if isinstance(value, str):
        if len(value) <= 10:
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    assert isinstance(moment, datetime)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")
