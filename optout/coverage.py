"""Protection coverage: the checks each app registers, and the first-week path.

A lower layer cannot know what the higher ones store, so every app registers the checks
it can answer from its own data (``register_coverage_check`` in its ``registrations.py``)
and the steps of the first-week path it owns (``register_first_week_step``). The core
computes scores and summaries from whatever is registered (``optout.services.coverage``);
the dashboard shows them. See ``docs/coverage.md`` for every check and its weight.

A check is set-based: ``compute(label, recording_ids)`` answers for all of the label's
recordings at once (``recording_ids`` None) or for the few named, in a handful of queries.
It returns ``None`` when the check does not apply to this label yet (the feature it needs
is not set up): the check is then left out, not counted as failing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from optout.models import Label


@dataclass
class CheckOutcome:
    """What one check found.

    * ``passed``: the recordings that pass.
    * ``applicable``: the recordings the check speaks about (None: all of the label's).
    * ``dates``: when each passing recording's fact was last established (optional).
    * ``details``: a short reason per recording, filled when ``recording_ids`` were named.
    """

    passed: set[int]
    applicable: set[int] | None = None
    dates: dict[int, datetime.date | datetime.datetime | None] = field(default_factory=dict)
    details: dict[int, str] = field(default_factory=dict)

    def applies_to(self, recording_id: int) -> bool:
        return self.applicable is None or recording_id in self.applicable


CheckCompute = Callable[["Label", Collection[int] | None], CheckOutcome | None]


@dataclass(frozen=True)
class CoverageCheck:
    key: str
    title: str | Promise
    weight: int
    fix_url: Callable[[Label], str]
    compute: CheckCompute
    fix_text: str | Promise = ""
    """The next step, with ``%(count)s`` for the recordings it would protect."""
    order: int = 100


_CHECKS: dict[str, CoverageCheck] = {}


def register_coverage_check(check: CoverageCheck) -> None:
    if check.weight < 1:
        raise ValueError(f"Coverage check {check.key!r} needs a positive weight.")
    _CHECKS[check.key] = check


def coverage_checks() -> list[CoverageCheck]:
    return sorted(_CHECKS.values(), key=lambda c: (c.order, c.key))


def coverage_check(key: str) -> CoverageCheck | None:
    return _CHECKS.get(key)


@dataclass(frozen=True)
class CoverageFlag:
    """One of the seed's risk points: how many recordings it touches, and the fix.

    ``count(label, passed, failing, recording_ids)`` gets, per check, the recordings that
    passed and those that failed (so a flag built from checks costs nothing) and returns
    the number of recordings at risk, or None when the flag cannot be told for this label.
    """

    key: str
    title: str | Promise
    description: str | Promise
    fix_url: Callable[[Label], str]
    count: Callable[[Label, dict[str, set[int]], dict[str, set[int]], set[int]], int | None]
    order: int = 100


_FLAGS: dict[str, CoverageFlag] = {}


def register_coverage_flag(flag: CoverageFlag) -> None:
    _FLAGS[flag.key] = flag


def coverage_flags() -> list[CoverageFlag]:
    return sorted(_FLAGS.values(), key=lambda f: (f.order, f.key))


@dataclass(frozen=True)
class FirstWeekStep:
    """One step of the guided first week (the seed's five steps)."""

    key: str
    order: int
    title: str | Promise
    description: str | Promise
    done: Callable[[Label], bool]
    url: Callable[[Label], str]


_STEPS: dict[str, FirstWeekStep] = {}


def register_first_week_step(step: FirstWeekStep) -> None:
    _STEPS[step.key] = step


def first_week_steps() -> list[FirstWeekStep]:
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.key))


@dataclass(frozen=True)
class CoverageCatalog:
    """How the core learns the catalog's shape without importing it (the catalog registers
    one): the label's recordings, the releases they are on and the regions they are sold in.
    """

    recording_ids: Callable[[Label], list[int]]
    release_tracks: Callable[[Label], list[tuple[int, str, str, int]]]
    """(release id, release code, release title, recording id) for every track."""
    recording_regions: Callable[[Label], list[tuple[str, str, set[int]]]]
    """(region key, region name, recording ids sold there) for every region of the map."""
    recording_facts: Callable[[Label, list[int]], dict[int, tuple[str, str, str]]]
    """recording id -> (code, ISRC, title), for exports."""


_CATALOG: list[CoverageCatalog] = []


def register_coverage_catalog(catalog: CoverageCatalog) -> None:
    _CATALOG[:] = [catalog]


def coverage_catalog() -> CoverageCatalog | None:
    return _CATALOG[0] if _CATALOG else None
