"""The request handler that runs inside the sandbox: ``probe`` and ``tag`` operations.

Requests and results are JSON-safe dictionaries; see :mod:`catalog.audio.isolation`.
"""

from __future__ import annotations

from typing import Any

from catalog.audio.errors import BadAudio


def handle(request: dict[str, Any]) -> dict[str, Any]:
    op = request.get("op")
    if op == "probe":
        from catalog.audio.reading import probe_file

        return probe_file(str(request["path"]), request.get("name"))
    if op == "tag":
        from catalog.audio.tagging import tag_file

        return tag_file(
            str(request["source"]), str(request["target"]), request["metadata"], request["now"]
        )
    raise BadAudio("isolation_failed", detail=f"unknown operation {op!r}")
