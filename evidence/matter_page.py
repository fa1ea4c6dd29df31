"""What other apps add to a matter's page: sections and timeline entries (two registries).

A matter gathers work done in apps above evidence (takedowns in ``notices``, say), which
evidence must not import. Such an app registers, from its ``registrations.py``:

* a ``MatterSection``: a template included on the matter page, with the context its
  ``context(request, access, matter)`` returns (the section checks roles itself);
* a timeline source: ``source(matter)`` yields ``TimelineEntry`` rows; the page merges the
  entries of every source, newest first. Evidence registers its own (the matter opened,
  items added, notes, packets) in ``evidence.registrations``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from evidence.models import Matter
    from optout.tenancy import LabelAccess


@dataclass(frozen=True)
class MatterSection:
    key: str
    template: str
    context: Callable[[HttpRequest, LabelAccess, Matter], dict[str, Any]]
    order: int = 100


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    detail: str = ""
    actor: str = ""
    url: str = ""
    """A page of this site about the entry, if any."""


TimelineSource = Callable[["Matter"], Iterable[TimelineEntry]]

_SECTIONS: dict[str, MatterSection] = {}
_TIMELINE: dict[str, TimelineSource] = {}


def register_matter_section(section: MatterSection) -> None:
    _SECTIONS[section.key] = section


def matter_sections() -> list[MatterSection]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def register_matter_timeline_source(key: str, source: TimelineSource) -> None:
    _TIMELINE[key] = source


def matter_timeline(*, matter: Matter) -> list[TimelineEntry]:
    """Every registered source's entries for ``matter``, newest first."""
    entries = [entry for source in _TIMELINE.values() for entry in source(matter)]
    return sorted(entries, key=lambda e: e.at, reverse=True)
