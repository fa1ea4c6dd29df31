"""The AI agent registry: the vendored list, newer lists loaded since, our classification."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from optout.policy.compilers.agents import (
    AgentListDiff,
    AgentRegistry,
    diff_agent_lists,
    parse_robots_json,
    registry_from_data,
)
from optout.policy.compilers.vocab import Purpose
from optout.policy.models import AgentList, AgentPurpose

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
VENDORED_LIST = DATA_DIR / "ai-robots-txt" / "robots.json"
CLASSIFICATION = DATA_DIR / "agent_purposes.json"
VENDORED_SOURCE = "ai-robots-txt/ai.robots.txt 738c80d (2026-08-22)"


@cache
def vendored_robots_json() -> dict[str, dict[str, Any]]:
    return parse_robots_json(json.loads(VENDORED_LIST.read_text(encoding="utf-8")))


@cache
def vendored_classification() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CLASSIFICATION.read_text(encoding="utf-8"))
    return data


def _active_list() -> tuple[dict[str, dict[str, Any]], str, str]:
    """(robots.json, source, key) of the list in use: the loaded one, else the vendored."""
    active = AgentList.objects.filter(is_active=True).only("code", "source").first()
    if active is None:
        return vendored_robots_json(), VENDORED_SOURCE, "vendored"
    agents = AgentList.objects.values_list("agents", flat=True).get(pk=active.pk)
    return agents, active.source, str(active.code)


_memo_lock = threading.Lock()
_memo: dict[str, AgentRegistry] = {}


def agent_registry() -> AgentRegistry:
    """The registry every label's signals are compiled with.

    Rebuilt only when the active list or a classification changed (a cheap query decides),
    because public signal files are requested far more often than lists are loaded.
    """
    active = AgentList.objects.filter(is_active=True).values_list("code", flat=True).first()
    stamp = AgentPurpose.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    key = f"{active}:{stamp['n']}:{stamp['last']}"
    with _memo_lock:
        cached = _memo.get(key)
    if cached is not None:
        return cached
    robots, source, _list_key = _active_list()
    classification = dict(vendored_classification()["purposes"])
    notes: dict[str, str] = dict(vendored_classification()["notes"])
    for row in AgentPurpose.objects.all():
        classification[row.token] = row.purpose
        if row.note:
            notes[row.token] = row.note
    registry = registry_from_data(
        robots_json=robots,
        classification=classification,
        extra=vendored_classification()["extra"],
        notes=notes,
        source=source,
    )
    with _memo_lock:
        _memo.clear()
        _memo[key] = registry
    return registry


@dataclass(frozen=True)
class AgentRefresh:
    diff: AgentListDiff
    needs_review: tuple[str, ...]
    """New tokens nobody has classified yet: refused until someone does."""
    applied: bool
    agent_list: AgentList | None


def agent_list_refresh(*, raw: bytes, source: str, apply: bool = True) -> AgentRefresh:
    """Compare a newer ``robots.json`` with the list in use and, with ``apply``, use it."""
    try:
        agents = parse_robots_json(json.loads(raw.decode("utf-8")))
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("The file is not valid JSON (line %(line)s, column %(column)s): %(reason)s")
            % {"line": exc.lineno, "column": exc.colno, "reason": exc.msg}
        ) from None
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    current, _source, _key = _active_list()
    diff = diff_agent_lists(current, agents)
    classified = set(vendored_classification()["purposes"]) | set(
        AgentPurpose.objects.values_list("token", flat=True)
    )
    needs_review = tuple(t for t in diff.added if t not in classified)
    if not apply:
        return AgentRefresh(diff=diff, needs_review=needs_review, applied=False, agent_list=None)
    with transaction.atomic():
        AgentList.objects.filter(is_active=True).update(is_active=False)
        row = AgentList.objects.create(
            source=source[:300],
            sha256=hashlib.sha256(raw).hexdigest(),
            agents=agents,
            is_active=True,
        )
    return AgentRefresh(diff=diff, needs_review=needs_review, applied=True, agent_list=row)


def agent_classify(*, token: str, purpose: str, note: str = "") -> AgentPurpose:
    try:
        Purpose(purpose)
    except ValueError:
        raise ValidationError(
            {
                "purpose": _("Choose one of: %(choices)s.")
                % {"choices": ", ".join(p.value for p in Purpose)}
            }
        ) from None
    if agent_registry().get(token) is None:
        raise ValidationError(
            {"token": _("No agent %(token)s is on the list in use.") % {"token": token}}
        )
    row, _created = AgentPurpose.objects.update_or_create(
        token=token, defaults={"purpose": purpose, "note": note}
    )
    return row
