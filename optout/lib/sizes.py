"""File sizes in one unit system everywhere: decimal (SI) units, 1 MB = 1,000,000 bytes.

The upload progress (``static/js/upload.js``, ``formatBytes``) counts the same way, so a
file is the same number of megabytes while it uploads and on its page afterwards.
"""

from __future__ import annotations

from django.utils.formats import number_format

UNITS = ("B", "kB", "MB", "GB", "TB")
STEP = 1000


def size_display(size: int | None) -> str:
    """``34.6 MB`` (``34,6 MB`` in Swedish): one decimal above a kilobyte."""
    value = float(size or 0)
    unit = 0
    while value >= STEP and unit < len(UNITS) - 1:
        value /= STEP
        unit += 1
    if unit == 0:
        return f"{int(value)} {UNITS[0]}"
    return f"{number_format(value, 1)} {UNITS[unit]}"
