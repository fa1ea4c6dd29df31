"""Reading a web-server access log (nginx/Apache "combined" format) in one streamed pass.

Model-free, so the benchmark can time it alone: the caller gives the agents to look for,
a way to get the robots.txt in force on a day, and the verification rules; it gets counts
back. Memory does not grow with the file: lines are read one at a time (a line longer than
``MAX_LINE_BYTES`` is read in pieces and counted as malformed), the violating lines go to a
file, and every cache and path counter is bounded.

The hot loop is kept tight on purpose (the benchmark holds it to at least half the speed
of a loop that only matches the log's regular expression): one precompiled regular
expression per line, and for the user agent a dict lookup by its exact bytes (the combined
agent pattern runs once per distinct user-agent string).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import ipaddress
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol, cast

from protego import Protego

from optout.policy.compilers.agents import AgentRegistry
from optout.policy.compilers.robots import robots_token
from optout.policy.compilers.vocab import Purpose

_QUOTED = rb'"([^"\\]*(?:\\.[^"\\]*)*)"'
COMBINED = re.compile(
    rb"^(\S+) \S+ \S+ \[([^\]]+)\] " + _QUOTED + rb" (\d{3}) (\S+) " + _QUOTED + b" " + _QUOTED
)
"""``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`` (nginx escapes ``"`` as ``\\x22``,
Apache as ``\\"``); anything may follow (some servers append fields)."""

MAX_LINE_BYTES = 64 * 1024
SAMPLE_LINES = 20
TOP_PATHS = 20
PATHS_KEPT = 5_000
"""Distinct paths counted per agent; later new paths are counted under ``(other paths)``."""
CACHE_LIMIT = 200_000
OTHER_PATHS = "(other paths)"
OTHER_PATHS_KEY = OTHER_PATHS.encode()
CHUNK_BYTES = 1024 * 1024
LONG_LINE = b"\x00line too long\x00"
"""Stands in for an over-long line (never matches the log format)."""

SIGNAL_PATHS = frozenset(
    {
        b"/robots.txt",
        b"/ai.txt",
        b"/llms.txt",
        b"/.well-known/tdmrep.json",
        b"/.well-known/ai.txt",
        b"/tdm-policy.json",
        b"/license.xml",
    }
)
ROBOTS_PATH = b"/robots.txt"
GZIP_MAGIC = b"\x1f\x8b"

_MONTHS = {
    m.encode(): n
    for n, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_EPOCH = date(1970, 1, 1).toordinal()
_MISSING: Any = object()


class LineSource(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class LineSink(Protocol):
    def write(self, data: bytes, /) -> int: ...


class Rules(Protocol):
    def can_fetch(self, url: str, user_agent: str) -> bool: ...


class ProtegoRules:
    """A robots.txt parsed by Protego, and which crawlers share a rule group: crawlers whose
    groups hold the same rules get the same decision for a URL, so the scan asks Protego
    once per (group, URL) rather than per (crawler, URL)."""

    def __init__(self, text: str) -> None:
        self.robots = Protego.parse(text)
        self._groups: dict[str, Any] = {}

    def can_fetch(self, url: str, user_agent: str) -> bool:
        return bool(self.robots.can_fetch(url, user_agent))

    def group_of(self, token: str) -> Any:
        """A key equal for crawlers whose matching groups hold the same rules."""
        found = self._groups.get(token)
        if found is None:
            found = self._groups[token] = self._signature(token)
        return found

    def _signature(self, token: str) -> Any:
        # Protego's rule sets are internal: without them each crawler is its own group.
        matching = getattr(self.robots, "_get_matching_rule_set", None)
        if matching is None:
            return ("agent", token)
        rule_set = matching(token)
        if rule_set is None:
            return ("none",)
        rules = getattr(rule_set, "_rules", None)
        if rules is None:
            return ("agent", token)
        return tuple(
            (rule.field, getattr(rule.value, "_pattern", id(rule.value))) for rule in rules
        )


@dataclass(frozen=True)
class AgentSpec:
    token: str
    """The registry's token (what the report names)."""
    purpose: str
    robots_token: str
    """The token robots.txt names it by (what the robots.txt decision asks about)."""
    control_token: str = ""
    """A control token that governs AI use of what this crawler fetches (Google-Extended
    for Googlebot): its refusals are counted, not violations of this crawler."""


@dataclass(frozen=True)
class VerifyRule:
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    reverse_dns: tuple[str, ...] = ()
    resolver: Callable[[str], bool] | None = None
    """Reverse-then-forward DNS check of an address, only when the operator allowed lookups."""

    def check(self, address: bytes) -> str:
        """``verified``, ``impostor`` or ``unverifiable``."""
        if self.networks:
            try:
                ip = ipaddress.ip_address(address.decode("ascii"))
            except (ValueError, UnicodeDecodeError):
                return "impostor"
            if ip.version == 6 and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            inside = any(ip.version == n.version and ip in n for n in self.networks)
            return "verified" if inside else "impostor"
        if self.reverse_dns and self.resolver is not None:
            return "verified" if self.resolver(address.decode("ascii", "replace")) else "impostor"
        return "unverifiable"


RobotsForDay = Callable[[date], tuple[str, ProtegoRules | None]]
"""A day -> (the key of the policy version in force, its parsed robots.txt); ("", None)
when no version was in force."""


@dataclass(slots=True)
class AgentStats:
    spec: AgentSpec
    requests: int = 0
    allowed: int = 0
    violations: int = 0
    signal_fetches: int = 0
    unjudged: int = 0
    robots_fetches: int = 0
    violations_after_robots: int = 0
    control_reserved: int = 0
    verified: int = 0
    impostors: int = 0
    unverifiable: int = 0
    first: float | None = None
    last: float | None = None
    paths: Counter[bytes] = field(default_factory=Counter)
    violating_paths: Counter[bytes] = field(default_factory=Counter)
    fetched_robots: bool = False

    def as_dict(self) -> dict[str, Any]:
        def top(counter: Counter[bytes]) -> list[list[Any]]:
            return [
                [path.decode("utf-8", "replace"), n] for path, n in counter.most_common(TOP_PATHS)
            ]

        return {
            "token": self.spec.token,
            "purpose": self.spec.purpose,
            "control_token": self.spec.control_token,
            "requests": self.requests,
            "allowed": self.allowed,
            "violations": self.violations,
            "signal_fetches": self.signal_fetches,
            "unjudged": self.unjudged,
            "robots_fetches": self.robots_fetches,
            "violations_after_robots": self.violations_after_robots,
            "control_reserved": self.control_reserved,
            "verified": self.verified,
            "impostors": self.impostors,
            "unverifiable": self.unverifiable,
            "first_seen": _iso(self.first),
            "last_seen": _iso(self.last),
            "top_paths": top(self.paths),
            "top_violating_paths": top(self.violating_paths),
        }


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat()


@dataclass
class ScanResult:
    lines: int = 0
    parsed: int = 0
    malformed: int = 0
    malformed_samples: list[list[Any]] = field(default_factory=list)
    other_requests: int = 0
    """Parsed requests whose user agent is not in the registry (browsers, other tools)."""
    agents: dict[str, AgentStats] = field(default_factory=dict)
    versions: dict[str, list[str]] = field(default_factory=dict)
    """Policy version key -> [first day, last day] it judged."""
    first_day: date | None = None
    last_day: date | None = None

    @property
    def agent_requests(self) -> int:
        return sum(s.requests for s in self.agents.values())

    @property
    def violations(self) -> int:
        return sum(s.violations for s in self.agents.values())

    @property
    def robots_ignorers(self) -> list[str]:
        """Agents that fetched robots.txt and afterwards fetched what it refused them."""
        return sorted(t for t, s in self.agents.items() if s.violations_after_robots)

    def totals(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "parsed": self.parsed,
            "malformed": self.malformed,
            "other_requests": self.other_requests,
            "agent_requests": self.agent_requests,
            "violations": self.violations,
            "signal_fetches": sum(s.signal_fetches for s in self.agents.values()),
            "unjudged": sum(s.unjudged for s in self.agents.values()),
            "robots_ignorers": self.robots_ignorers,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
        }


CONTROL_TOKENS = {"Googlebot": "Google-Extended", "Applebot": "Applebot-Extended"}
"""Control tokens have no crawler: Google-Extended and Applebot-Extended govern what the
search crawlers' fetches may be used for. A search crawler fetching what its control token
refuses is not a violation; it is counted, so the report shows what is reserved from AI."""


def specs_from_registry(registry: AgentRegistry) -> list[AgentSpec]:
    """Every crawler of the registry (control tokens fetch nothing themselves)."""
    tokens = {a.token for a in registry.agents}
    specs = []
    for agent in registry.agents:
        if agent.purpose is Purpose.CONTROL:
            continue
        control = CONTROL_TOKENS.get(agent.token, "")
        specs.append(
            AgentSpec(
                token=agent.token,
                purpose=agent.purpose.value if agent.purpose else "",
                robots_token=robots_token(agent) or agent.token,
                control_token=control if control in tokens else "",
            )
        )
    return specs


class AgentMatcher:
    """User-agent header -> the registry agent it names (longest token at a word boundary,
    case-insensitive, as Protego matches), cached by the header's exact bytes."""

    def __init__(self, agents: Iterable[AgentSpec]) -> None:
        self.by_token = {a.token.lower().encode(): a for a in agents}
        tokens = sorted(self.by_token, key=len, reverse=True)
        self._pattern = re.compile(
            rb"(?<![A-Za-z0-9])(" + b"|".join(re.escape(t) for t in tokens) + rb")(?![A-Za-z0-9])",
            re.IGNORECASE,
        )
        self.cache: dict[bytes, AgentSpec | None] = {}

    def find(self, user_agent: bytes) -> AgentSpec | None:
        best = b""
        for match in self._pattern.finditer(user_agent):
            if len(match.group(1)) > len(best):
                best = match.group(1)
        found = self.by_token.get(best.lower()) if best else None
        if len(self.cache) >= CACHE_LIMIT:
            self.cache.clear()
        self.cache[user_agent] = found
        return found


class Tap:
    """Counts (and, if asked, hashes) the file's bytes as the scan reads them: a log still
    being written gets the hash of exactly the bytes analysed, in the same pass."""

    def __init__(self, raw: io.BufferedReader[io.FileIO], *, hashed: bool) -> None:
        self._raw = raw
        self._hash = hashlib.sha256() if hashed else None
        self.count = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self._raw.read(size)
        self.count += len(data)
        if self._hash is not None:
            self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        assert self._hash is not None
        return self._hash.hexdigest()


@contextmanager
def open_log(path: str, *, hashed: bool = False) -> Iterator[tuple[LineSource, Tap]]:
    """The log's bytes, un-gzipped when it is gzip (by its magic bytes, not its name), and
    the tap on the file's own bytes."""
    with io.BufferedReader(io.FileIO(path, "rb"), buffer_size=1024 * 1024) as raw:
        tap = Tap(raw, hashed=hashed)
        if raw.peek(2)[:2] == GZIP_MAGIC:
            with gzip.GzipFile(fileobj=cast(Any, tap), mode="rb") as unzipped:
                yield unzipped, tap
        else:
            yield tap, tap


def _day(stamp: bytes) -> date:
    day, month, year = stamp[:11].split(b"/")
    return date(int(year), _MONTHS[month], int(day))


_ALLOWED, _VIOLATION, _SIGNAL, _UNJUDGED, _BAD_REQUEST = range(5)


def _judge(request: bytes, robots: ProtegoRules | None, spec: AgentSpec) -> tuple[bytes, int, bool]:
    """(path, what the request is, whether the control token may fetch it)."""
    parts = request.split(b" ")
    if len(parts) != 3 or parts[1][:1] != b"/":
        return b"", _BAD_REQUEST, True
    target = parts[1]
    path = target.split(b"?", 1)[0]
    if path in SIGNAL_PATHS:
        return path, _SIGNAL, True
    if robots is None:
        return path, _UNJUDGED, True
    url = "http://site" + target.decode("utf-8", "replace")
    if not robots.can_fetch(url, spec.robots_token):
        return path, _VIOLATION, True
    control_ok = not spec.control_token or robots.can_fetch(url, spec.control_token)
    return path, _ALLOWED, control_ok


def _seconds(clock: bytes) -> int:
    """``HH:MM:SS`` -> seconds into the day."""
    if len(clock) != 8 or clock[2:3] != b":" or clock[5:6] != b":":
        raise ValueError(clock)
    hours, minutes, seconds = int(clock[:2]), int(clock[3:5]), int(clock[6:])
    if hours > 23 or minutes > 59 or seconds > 60:
        raise ValueError(clock)
    return hours * 3600 + minutes * 60 + seconds


def _offset(zone: bytes) -> int:
    sign = -1 if zone[:1] == b"-" else 1
    if len(zone) != 5 or zone[:1] not in b"+-":
        raise ValueError(zone)
    return sign * (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60)


def _chunks(stream: LineSource) -> Iterator[list[bytes]]:
    """The stream's lines, a chunk's worth at a time, without their line ends. A line longer
    than ``MAX_LINE_BYTES`` is given as ``None`` once (and its bytes dropped): never held."""
    read = stream.read
    tail = b""
    skipping = False
    while True:
        chunk = read(CHUNK_BYTES)
        if not chunk:
            break
        parts = chunk.split(b"\n")
        parts[0] = tail + parts[0]
        tail = parts.pop()
        if skipping:
            if not parts:
                tail = b""
                continue
            parts.pop(0)  # the rest of the over-long line
            skipping = False
        if len(tail) > MAX_LINE_BYTES:
            parts.append(LONG_LINE)
            tail = b""
            skipping = True
        yield parts
    if tail and not skipping:
        yield [tail]


def scan(
    stream: LineSource,
    *,
    agents: Iterable[AgentSpec],
    robots_for_day: RobotsForDay,
    verify: dict[str, VerifyRule] | None = None,
    violations_out: LineSink | None = None,
    progress: Callable[[int], None] | None = None,
) -> ScanResult:
    """Read ``stream`` line by line; malformed lines are counted (the first few kept),
    never fatal. ``violations_out`` receives each violating line verbatim."""
    result = ScanResult()
    matcher = AgentMatcher(agents)
    ua_cache = matcher.cache
    find = matcher.find
    match = COMBINED.match
    rules = verify or {}
    stats: dict[str, AgentStats] = result.agents
    days: dict[bytes, tuple[date, float, str, ProtegoRules | None]] = {}
    zones: dict[bytes, int] = {}
    groups: dict[tuple[str, str], int] = {}
    group_ids: dict[tuple[str, Any, Any], int] = {}
    judged: dict[tuple[int, bytes], tuple[bytes, int, bool]] = {}
    clocks: dict[bytes, int] = {}
    pending: list[bytes] = []
    verdicts: dict[tuple[str, bytes], str] = {}
    samples = result.malformed_samples
    write = violations_out.write if violations_out is not None else None
    lines = malformed = other = 0

    def bad(number: int, line: bytes, reason: str) -> None:
        if len(samples) < SAMPLE_LINES:
            samples.append([number, reason, line[:500].decode("utf-8", "replace").rstrip("\r")])

    for chunk in _chunks(stream):
        if progress is not None:
            progress(lines)
        if pending:
            # The violating lines of the previous chunk, in one write.
            if write is not None:
                write(b"\n".join(pending) + b"\n")
            pending.clear()
        for line in chunk:
            lines += 1
            found = match(line)
            if found is None:
                malformed += 1
                if line is LONG_LINE:
                    bad(lines, b"", "line too long")
                else:
                    bad(lines, line, "not combined log format" if line.strip() else "empty line")
                continue
            user_agent = found[7]
            cached = ua_cache.get(user_agent, _MISSING)
            if cached is None:
                other += 1
                continue
            spec: AgentSpec | None = find(user_agent) if cached is _MISSING else cached
            if spec is None:
                other += 1
                continue
            # An agent's request: the day, the path, the robots.txt of that day.
            address, stamp, request = found.group(1, 2, 3)
            day_info = days.get(stamp[:11])
            try:
                if day_info is None:
                    day = _day(stamp)
                    version, robots = robots_for_day(day)
                    day_info = (day, (day.toordinal() - _EPOCH) * 86400.0, version, robots)
                    days[stamp[:11]] = day_info
                    _note_day(result, day, version)
                offset = zones.get(stamp[21:])
                if offset is None:
                    offset = zones[stamp[21:]] = _offset(stamp[21:])
                if stamp[11:12] != b":" or stamp[20:21] != b" ":
                    raise ValueError(stamp)
                clock = stamp[12:20]
                seconds = clocks.get(clock)
                if seconds is None:
                    seconds = clocks[clock] = _seconds(clock)
                moment = day_info[1] + seconds - offset
            except (ValueError, KeyError, IndexError):
                malformed += 1
                bad(lines, line, "bad timestamp")
                continue
            token = spec.token
            version = day_info[2]
            robots = day_info[3]
            group = groups.get((version, token))
            if group is None:
                # A small int per distinct (version, rule group, control group): the cache
                # key below is hashed on every line, a tuple of rules would be re-hashed.
                signature = (
                    version,
                    robots.group_of(spec.robots_token) if robots is not None else None,
                    robots.group_of(spec.control_token)
                    if robots is not None and spec.control_token
                    else None,
                )
                group = groups[(version, token)] = group_ids.setdefault(signature, len(group_ids))
            # What the request line means for this rule group (the same for every crawler
            # the group holds): cached, so Protego is asked once per group and URL.
            entry = judged.get((group, request))
            if entry is None:
                entry = _judge(request, robots, spec)
                if len(judged) >= CACHE_LIMIT:
                    judged.clear()
                judged[(group, request)] = entry
            path, kind, control_ok = entry
            if kind == _BAD_REQUEST:
                malformed += 1
                bad(lines, line, "bad request line")
                continue
            agent = stats.get(token)
            if agent is None:
                agent = stats[token] = AgentStats(spec=spec)
            agent.requests += 1
            if agent.first is None or moment < agent.first:
                agent.first = moment
            if agent.last is None or moment > agent.last:
                agent.last = moment
            counter = agent.paths
            if path in counter or len(counter) < PATHS_KEPT:
                counter[path] += 1
            else:
                counter[OTHER_PATHS_KEY] += 1
            rule = rules.get(token)
            if rule is None:
                agent.unverifiable += 1
            else:
                verdict = verdicts.get((token, address))
                if verdict is None:
                    if len(verdicts) >= CACHE_LIMIT:
                        verdicts.clear()
                    verdict = verdicts[(token, address)] = rule.check(address)
                if verdict == "verified":
                    agent.verified += 1
                elif verdict == "impostor":
                    agent.impostors += 1
                else:
                    agent.unverifiable += 1
            if kind == _ALLOWED:
                agent.allowed += 1
                if not control_ok:
                    agent.control_reserved += 1
            elif kind == _VIOLATION:
                agent.violations += 1
                counter = agent.violating_paths
                if path in counter or len(counter) < PATHS_KEPT:
                    counter[path] += 1
                else:
                    counter[OTHER_PATHS_KEY] += 1
                if agent.fetched_robots:
                    agent.violations_after_robots += 1
                pending.append(line)
            elif kind == _SIGNAL:
                agent.signal_fetches += 1
                if path == ROBOTS_PATH:
                    agent.robots_fetches += 1
                    agent.fetched_robots = True
            else:
                agent.unjudged += 1
    if pending and write is not None:
        write(b"\n".join(pending) + b"\n")
    result.lines = lines
    result.malformed = malformed
    result.other_requests = other
    result.parsed = lines - malformed
    return result


def _note_day(result: ScanResult, day: date, version: str) -> None:
    if result.first_day is None or day < result.first_day:
        result.first_day = day
    if result.last_day is None or day > result.last_day:
        result.last_day = day
    if version:
        span = result.versions.setdefault(version, [day.isoformat(), day.isoformat()])
        span[0] = min(span[0], day.isoformat())
        span[1] = max(span[1], day.isoformat())
