"""Stand-ins for a misbehaving parser, run by the real sandbox in the isolation tests.

Each is a sandbox target (``module:function``) like ``catalog.audio.worker:handle``.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any


def spin(request: dict[str, Any]) -> dict[str, Any]:
    """Loops forever on the CPU, like mutagen issues #373 and #433."""
    while True:
        pass


def sleep(request: dict[str, Any]) -> dict[str, Any]:
    """Blocks forever without using CPU time: only the wall clock can stop it."""
    while True:
        time.sleep(60)


def hoard(request: dict[str, Any]) -> dict[str, Any]:
    """Allocates memory without limit."""
    blocks = []
    while True:
        blocks.append(bytearray(16 * 1024 * 1024))


def crash(request: dict[str, Any]) -> dict[str, Any]:
    """Dies of a segmentation fault, as a C extension might."""
    os.kill(os.getpid(), signal.SIGSEGV)
    return {}


def babble(request: dict[str, Any]) -> dict[str, Any]:
    """Writes garbage where the answer should be."""
    sys.stdout.buffer.write(b"\x00\xff not json at all\n")
    sys.stdout.buffer.flush()
    return {"never": "read"}


def flood(request: dict[str, Any]) -> dict[str, Any]:
    """Writes an endless answer without a line end."""
    chunk = b"x" * (1024 * 1024)
    while True:
        sys.stdout.buffer.write(chunk)


def by_request(request: dict[str, Any]) -> dict[str, Any]:
    """Behaves as the request says, so one batch can mix good and bad items."""
    behaviour = request["behaviour"]
    if behaviour == "ok":
        return {"echo": request["value"]}
    handler = globals()[behaviour]
    result: dict[str, Any] = handler(request)
    return result


def environment(request: dict[str, Any]) -> dict[str, Any]:
    """Returns the environment the sandbox runs with."""
    return {"environ": dict(os.environ)}


def write_file(request: dict[str, Any]) -> dict[str, Any]:
    """Tries to write a file (probing must not be able to)."""
    with open(request["path"], "wb") as handle:
        handle.write(b"x" * 4096)
    return {"wrote": True}
