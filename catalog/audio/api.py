"""The public functions: :func:`probe`, :func:`probe_many` and :func:`write_tagged_copy`
(and :func:`catalog.audio.payload.payload_sha256`, re-exported by the package).

Both probing and tagging parse untrusted files with mutagen and our chunk code inside the
sandbox of :mod:`catalog.audio.isolation`; only file names and JSON cross the boundary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalog.audio.errors import BadAudio
from catalog.audio.isolation import Item, Limits, run_isolated
from catalog.audio.metadata import RightsMetadata
from catalog.audio.payload import payload_sha256
from catalog.audio.results import AudioInfo, Note, Omission, Placement, TaggedCopy

GIB = 1024 * 1024 * 1024
# Tagging copies the file: allow time for the bytes on top of the parser's own limits.
CPU_SECONDS_PER_GIB = 10
TIMEOUT_SECONDS_PER_GIB = 30
TAG_HEADROOM_BYTES = 64 * 1024 * 1024


def _size_of(path: Path) -> int:
    try:
        stat = path.stat()
        regular = path.is_file()
    except OSError as error:
        raise BadAudio("unreadable_file", detail=f"{type(error).__name__}: {error}") from None
    if not regular:
        raise BadAudio("unreadable_file", detail="not a regular file")
    if stat.st_size == 0:
        raise BadAudio("empty")
    return stat.st_size


def probe(path: str | Path, *, name: str | None = None) -> AudioInfo:
    """Format, codec, technical facts, existing tags, BWF ``bext``/iXML and notes about
    anything odd, read in the sandbox. ``name`` is the file's original name (only used to
    note an extension that does not match the contents). Raises :class:`BadAudio`."""
    outcome = probe_many([path], names=[name])[0]
    if isinstance(outcome, BadAudio):
        raise outcome
    return outcome


def probe_many(
    paths: Sequence[str | Path], *, names: Sequence[str | None] | None = None
) -> list[AudioInfo | BadAudio]:
    """:func:`probe` for many files in one sandboxed process (a crash or timeout costs only
    the file that caused it); one result or BadAudio per path, in order."""
    limits = Limits.from_settings()
    outcomes: list[AudioInfo | BadAudio | None] = [None] * len(paths)
    items: list[Item] = []
    positions: list[int] = []
    for index, path in enumerate(paths):
        absolute = Path(path).absolute()
        try:
            _size_of(absolute)
        except BadAudio as error:
            outcomes[index] = error
            continue
        name = names[index] if names is not None else None
        request = {"op": "probe", "path": str(absolute), "name": name}
        items.append(Item(request, limits.cpu_seconds, limits.timeout_seconds))
        positions.append(index)
    for index, result in zip(positions, run_isolated(items, limits=limits), strict=True):
        outcomes[index] = result if isinstance(result, BadAudio) else _info(result)
    return [o if o is not None else BadAudio("isolation_failed") for o in outcomes]


def _info(result: dict[str, Any]) -> AudioInfo | BadAudio:
    try:
        return AudioInfo.from_dict(result)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return BadAudio("isolation_failed", detail=f"bad probe result: {error}")


def write_tagged_copy(
    *,
    source: str | Path,
    target: str | Path,
    metadata: RightsMetadata,
    source_payload_sha256: str | None = None,
) -> TaggedCopy:
    """Write a NEW file at ``target``: ``source`` with ``metadata`` in every tag the format
    supports (see docs/audio.md). ``source`` is only ever opened for reading; ``target`` is
    created or replaced. The audio payload is checked to be byte-identical before returning
    (pass ``source_payload_sha256`` when it is already known). On any failure ``target`` is
    removed and :class:`BadAudio` is raised."""
    source_path, target_path = Path(source).absolute(), Path(target).absolute()
    if not isinstance(metadata, RightsMetadata):
        raise TypeError("metadata must be a RightsMetadata")
    if source_path == target_path or (
        target_path.exists() and source_path.exists() and source_path.samefile(target_path)
    ):
        raise ValueError("The target must be a different file from the source.")
    size = _size_of(source_path)
    limits = Limits.from_settings()
    gib = size / GIB
    item = Item(
        {
            "op": "tag",
            "source": str(source_path),
            "target": str(target_path),
            "metadata": metadata.as_request(),
            "now": _now(),
        },
        limits.cpu_seconds + int(CPU_SECONDS_PER_GIB * gib),
        limits.timeout_seconds + TIMEOUT_SECONDS_PER_GIB * gib,
    )
    try:
        outcome = run_isolated([item], limits=limits, file_size=size * 2 + TAG_HEADROOM_BYTES)[0]
        if isinstance(outcome, BadAudio):
            raise outcome
        expected = source_payload_sha256 or payload_sha256(source_path)
        actual = payload_sha256(target_path)
        if actual != expected:
            raise BadAudio("payload_changed", detail=f"{expected} != {actual}")
        return _tagged(outcome, target_path, actual)
    except BaseException:
        target_path.unlink(missing_ok=True)
        raise


def _now() -> dict[str, str]:
    moment = datetime.now(UTC)
    return {"date": moment.strftime("%Y-%m-%d"), "time": moment.strftime("%H:%M:%S")}


def _tagged(result: dict[str, Any], path: Path, payload: str) -> TaggedCopy:
    try:
        return TaggedCopy(
            path=path,
            format=str(result["format"]),
            size=path.stat().st_size,
            payload_sha256=payload,
            written=[Placement(str(w["field"]), str(w["place"])) for w in result["written"]],
            not_written=[
                Omission(str(o["field"]), str(o["place"]), Note.from_dict(o))
                for o in result["not_written"]
            ],
            notes=[Note.from_dict(n) for n in result["notes"]],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BadAudio("isolation_failed", detail=f"bad tagging result: {error}") from None
