"""Captures of web pages: request, run (a job), re-capture, schedules, and their use as evidence.

A capture job:

1. fetches the URL through the safe fetcher (``optout.lib.fetch``), every hop recorded;
2. renders the page in headless Chromium whose every request is answered from that record
   or by the safe fetcher (``evidence.capture.render``); without a browser the capture
   goes on and says so;
3. writes the WARC of all the traffic, stores the screenshot and PDF, extracts the
   readable text and compares it with the previous capture of the same URL;
4. writes the provenance record (JSON: headers, final URL, redirect chain, peer IP, TLS
   certificates, capture time in UTC, software versions, the hash of every output) and a
   bundle of all the files; every output is a blob with its own ledger entry;
5. asks the label's timestamp authority, when one is configured, to stamp the provenance
   record (``evidence.services.capture_evidence``).

``request.py`` writes captures and schedules, ``run.py`` is the job's body (steps 1-2) and
``store.py`` stores the outputs (steps 3-5).
"""

from __future__ import annotations

from evidence.services.captures.request import (
    CAPTURE_JOB,
    CaptureRefused,
    capture_recapture,
    capture_request,
    capture_schedule_set,
    capture_url_check,
    captures_run_due,
)
from evidence.services.captures.run import capture_run
from evidence.services.captures.store import (
    CaptureFiles,
    capture_bundle_build,
    output_filenames,
    register_capture_finished_hook,
)

__all__ = [
    "CAPTURE_JOB",
    "CaptureFiles",
    "CaptureRefused",
    "capture_bundle_build",
    "capture_recapture",
    "capture_request",
    "capture_run",
    "capture_schedule_set",
    "capture_url_check",
    "captures_run_due",
    "output_filenames",
    "register_capture_finished_hook",
]
