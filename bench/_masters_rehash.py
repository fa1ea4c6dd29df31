"""Hash one stored master the way the processing job does; print figures as JSON.

Run by bench/masters_hash.py in its own process: ``python bench/_masters_rehash.py SHA256 SIZE``
with OPTOUT_MEDIA_ROOT pointing at a blob store that holds the file. The master and blob are
unsaved model instances, so no database is touched; the code path from the blob store to the
digest is the job's own (``catalog.services.masters.master_rehash``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def _status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from catalog.models import Master
    from catalog.services.masters import master_rehash
    from optout.models import Blob

    sha256, size = sys.argv[1], int(sys.argv[2])
    master = Master(size=size, received_sha256=sha256, blob=Blob(sha256=sha256, size=size))
    last = [0.0]
    reports = [0]

    def progress(percent: float, step: str | None = None) -> None:
        # The job's reporter checks the clock on every call and writes twice a second.
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            reports[0] += 1

    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    started = time.perf_counter()
    found = master_rehash(master=master, progress=progress)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "sha256": found,
                "seconds": seconds,
                "rss_before": before,
                "peak_rss": _status("VmHWM"),
                "reports": reports[0],
            }
        )
    )


if __name__ == "__main__":
    main()
