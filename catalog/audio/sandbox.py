"""The sandboxed process: ``python -m catalog.audio.sandbox --target MODULE:FUNCTION ...``.

It first limits itself (address space, CPU time, size of files it may write, open files, no
core dumps), then reads one JSON document ``{"items": [{"cpu": N, "request": {...}}, ...]}``
from stdin, calls the target function on each request in turn and writes one JSON line per
item to stdout: ``{"i": index, "ok": true, "result": ...}`` or
``{"i": index, "ok": false, "error": {"code": ..., "params": ..., "detail": ...}}``.

Before each item the soft CPU limit is re-armed to the CPU time used so far plus the item's
allowance, so one item cannot spend another's time; the hard limit caps the whole batch.
When an item exhausts memory the process answers for it and exits, so the next items start in
a fresh process. Any other way of dying (a signal from a limit, a crash, the caller's
wall-clock kill) is noticed and reported by :mod:`catalog.audio.isolation`.

This module imports neither Django nor mutagen; only the target does what it needs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
from collections.abc import Callable, Sequence
from typing import Any

from catalog.audio.errors import BadAudio

EXIT_MEMORY = 3


def _limit(kind: int, soft: int, hard: int | None = None) -> None:
    hard = soft if hard is None else hard
    _current_soft, current_hard = resource.getrlimit(kind)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(kind, (soft, hard))


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load(target: str) -> Callable[[dict[str, Any]], Any]:
    module_name, _, function = target.partition(":")
    function_ = getattr(importlib.import_module(module_name), function)
    assert callable(function_)
    return function_  # type: ignore[no-any-return]


def _emit(line: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


def _error(index: int, code: str, detail: str, params: dict[str, Any] | None = None) -> None:
    _emit(
        {"i": index, "ok": False, "error": {"code": code, "params": params or {}, "detail": detail}}
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="catalog.audio.sandbox")
    parser.add_argument("--target", required=True)
    parser.add_argument("--memory", type=int, required=True, help="address space, bytes")
    parser.add_argument("--cpu", type=int, required=True, help="CPU seconds for the batch")
    parser.add_argument("--file-size", type=int, required=True, help="largest file written")
    args = parser.parse_args(argv)

    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_NOFILE, 64)
    _limit(resource.RLIMIT_FSIZE, args.file_size)
    _limit(resource.RLIMIT_AS, args.memory)
    hard_cpu = int(_cpu_used()) + args.cpu + 1
    _limit(resource.RLIMIT_CPU, hard_cpu, hard_cpu)

    document = json.loads(sys.stdin.buffer.read())
    handler = _load(args.target)
    for index, item in enumerate(document["items"]):
        soft = min(int(_cpu_used()) + int(item["cpu"]) + 1, hard_cpu)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard_cpu))
        try:
            result = handler(item["request"])
        except BadAudio as error:
            _error(index, error.code, error.detail, dict(error.params))
        except MemoryError:
            _error(index, "memory_limit", "MemoryError")
            return EXIT_MEMORY
        except RecursionError as error:
            _error(index, "unreadable", f"RecursionError: {error}"[:300])
        except Exception as error:
            _error(index, "unreadable", f"{type(error).__name__}: {error}"[:300])
        else:
            _emit({"i": index, "ok": True, "result": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
