"""One world of two labels, built once per test module and rolled back at its end.

Building it (two labels, every role, every app's objects) takes about a second; the matrix
makes over a thousand requests against it. Each test still runs in its own savepoint, so a
write one test makes is gone before the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import build_team, rolled_back
from tests.matrix import Objects, World, builders


@dataclass
class SharedWorld:
    world: World
    media: Path


def make_world() -> World:
    team = build_team()
    world = World(
        a=Objects(label=team.label, owner=team.owner),
        b=Objects(label=team.other_label, owner=team.outsider),
        roles=dict(team.members),
        outsider=team.outsider,
    )
    for build in builders():
        build(world, "a")
        build(world, "b")
    return world


@pytest.fixture(scope="module")
def shared_world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedWorld]:
    media = tmp_path_factory.mktemp("media")
    with rolled_back(django_db_blocker, media):
        yield SharedWorld(world=make_world(), media=media)
