"""WARC files read back by readers that are not the writer's code path.

``cdxj-indexer`` (the indexer pywb uses) must index every record, ``warcio check`` must
find every digest right, and every ``WARC-Date`` must be a W3C-DTF UTC timestamp as WARC 1.1
requires (``2026-12-06T04:40:25Z``, fractional seconds allowed) that warcio's own parser
reads back.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

from optout.models import Blob
from optout.services.blobs import blob_local_path

WARC_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
_BIN = Path(sys.executable).parent


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"{args[0]} failed: {done.stderr or done.stdout}"
    return done.stdout


def warc_check_path(path: Path) -> list[dict[str, object]]:
    """Check the WARC at ``path``; returns its CDXJ index entries (one per record)."""
    dates: list[str] = []
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            date = record.rec_headers.get_header("WARC-Date")
            assert date and WARC_DATE.match(date), f"WARC-Date {date!r} is not W3C-DTF UTC"
            parsed = iso_date_to_datetime(date, tz_aware=True)
            assert abs(datetime.now(UTC) - parsed) < timedelta(days=1), date
            dates.append(date)
    assert dates, "the WARC holds no record"
    _run(str(_BIN / "warcio"), "check", str(path))
    lines = _run(str(_BIN / "cdxj-indexer"), "--records", "all", str(path)).splitlines()
    assert len(lines) == len(dates), lines
    entries = []
    for line in lines:
        _surt, timestamp, body = line.split(" ", 2)
        assert re.fullmatch(r"\d{14,20}", timestamp), line
        entries.append(json.loads(body))
    return entries


def warc_check(blob: Blob) -> list[dict[str, object]]:
    with blob_local_path(blob) as path:
        return warc_check_path(path)
