"""One measured pass over an access log, in its own process (so its peak RSS is its own).

``bare PATH``: the baseline, a loop that only matches the combined-log regular expression.
``scan PATH``: the analysis the job runs (``monitoring.accesslog.scan``) with the vendored
agent registry, a robots.txt compiled by the real compiler and parsed by Protego, IP-range
verification for one agent and the violating lines written gzip-compressed.
Prints one JSON object: seconds, lines, peak RSS (KiB).
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitoring.accesslog import (  # noqa: E402
    COMBINED,
    ProtegoRules,
    VerifyRule,
    open_log,
    scan,
    specs_from_registry,
)
from optout.policy.compilers import LabelFacts, PolicySpec  # noqa: E402
from optout.policy.compilers.agents import parse_robots_json, registry_from_data  # noqa: E402
from optout.policy.compilers.robots import compile_robots  # noqa: E402
from optout.policy.compilers.vocab import Stance, Use, suggested_blocked_purposes  # noqa: E402

DATA = ROOT / "optout" / "policy" / "data"


def _registry():  # type: ignore[no-untyped-def]
    robots = parse_robots_json(json.loads((DATA / "ai-robots-txt" / "robots.json").read_text()))
    classified = json.loads((DATA / "agent_purposes.json").read_text())
    return registry_from_data(
        robots_json=robots, classification=classified["purposes"], extra=classified["extra"],
        notes=classified["notes"], source="vendored",
    )  # fmt: skip


def _robots(registry, scope: tuple[str, ...], number: int):  # type: ignore[no-untyped-def]
    stances = {u: Stance.ALLOWED if u is Use.SEARCH else Stance.RESERVED for u in Use}
    spec = PolicySpec(
        version=number, effective_date=date(2026, 1, 1), stances=stances,
        blocked_purposes=suggested_blocked_purposes(stances), scope_paths=scope,
    )  # fmt: skip
    facts = LabelFacts(name="Bench", slug="bench", public_base_url="https://optout.test/s/bench")
    return ProtegoRules(compile_robots(spec, facts, registry))


def bare(path: str) -> int:
    match = COMBINED.match
    lines = 0
    with open(path, "rb", buffering=1024 * 1024) as stream:
        for line in stream:
            match(line)
            lines += 1
    return lines


def analyse(path: str) -> int:
    registry = _registry()
    first, second = _robots(registry, ("/",), 1), _robots(registry, ("/music/",), 2)

    def robots_for_day(day: date):  # type: ignore[no-untyped-def]
        return ("1", first) if day.day < 15 else ("2", second)

    verify = {"GPTBot": VerifyRule(networks=(ipaddress.ip_network("192.0.2.0/24"),))}
    with (
        tempfile.TemporaryDirectory() as folder,
        open_log(path) as (stream, _tap),
        gzip.open(Path(folder) / "violations.log.gz", "wb", compresslevel=1) as out,
    ):
        result = scan(
            stream, agents=specs_from_registry(registry), robots_for_day=robots_for_day,
            verify=verify, violations_out=out,
        )  # fmt: skip
    return result.lines


def main() -> None:
    mode, path = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    lines = bare(path) if mode == "bare" else analyse(path)
    seconds = time.perf_counter() - started
    # VmHWM, not ru_maxrss: the latter keeps the parent's size across fork and exec.
    status = Path("/proc/self/status").read_text()
    peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "lines": lines, "peak_rss_kib": peak}))


if __name__ == "__main__":
    main()
