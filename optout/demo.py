"""Demo data. Each app registers, from its ``registrations.py``, a seeder that adds its part
to the demo label."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from optout.models import Label, User

DemoSeeder = Callable[[Label, User], None]


@dataclass(frozen=True)
class _Seeder:
    order: int
    name: str
    seed: DemoSeeder


_SEEDERS: dict[str, _Seeder] = {}


def register_demo_seeder(name: str, seed: DemoSeeder, *, order: int = 100) -> None:
    _SEEDERS[name] = _Seeder(order, name, seed)


def demo_seeders() -> list[tuple[str, DemoSeeder]]:
    return [(s.name, s.seed) for s in sorted(_SEEDERS.values(), key=lambda s: (s.order, s.name))]
