"""The route inventory of the cross-label / role matrix test (tests/test_authz_matrix.py).

Every URL name the project serves must be listed in one of the modules of this package (one
module per app: ``core.py``, ``catalog.py``, ...), each exporting ``ROUTES`` (a list of
``Route``) and ``build(world, side)``, which creates that app's objects in one label so that
routes can be called with real codes. See README.md beside this file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Literal

from optout.models import Label, User
from optout.roles import Capability

Kind = Literal["label", "user", "public"]


class Objects(SimpleNamespace):
    """The objects of one label that routes point at (filled by each app's ``build``)."""

    label: Label
    owner: User


@dataclass(frozen=True)
class Route:
    name: str
    """The URL name with its namespace, e.g. ``"job"``, ``"api:job"``, ``"catalog:recording"``."""
    kwargs: Callable[[Objects], dict[str, Any]] = lambda objs: {}
    """URL kwargs other than ``slug`` (added for label routes), built from one label's objects."""
    read: Capability | None = Capability.VIEW
    """What GET needs; None when the route does not answer GET (405)."""
    writes: Mapping[str, Capability] = field(default_factory=dict)
    """Other methods and what each needs, e.g. ``{"POST": Capability.CATALOG}``."""
    data: Callable[[Objects], Any] | None = None
    """A plausible request body for the writes."""
    kind: Kind = "label"
    format: Literal["form", "json", "multipart"] = "form"
    query: str = ""
    """A query string for GET (e.g. ``"?format=csv"``)."""
    note: str = ""

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def methods(self) -> list[str]:
        return (["GET"] if self.read is not None else []) + list(self.writes)

    def needs(self, method: str) -> Capability | None:
        return self.read if method == "GET" else self.writes.get(method)


@dataclass
class World:
    a: Objects
    b: Objects
    roles: dict[str, User]
    outsider: User


def route_url(route: Route, objs: Objects) -> str:
    """The route's path for one label's objects (without its query string)."""
    from django.urls import reverse

    kwargs = route.kwargs(objs)
    if route.kind == "label":
        kwargs = {"slug": objs.label.slug, **kwargs}
    return reverse(route.name, kwargs=kwargs)


Builder = Callable[[World, str], None]

# URL names served by third-party apps (allauth, the admin, Django's i18n views): their own
# test suites cover them; ours check the pieces we configure (tests/optout/test_accounts.py).
EXTERNAL_PREFIXES = ("account_", "mfa_", "admin:", "usersessions_")
EXTERNAL_NAMES = {"set_language"}


# Builders run in layer order, so an app can point at the objects of the apps below it.
_ORDER = ["core", "policy", "catalog", "evidence", "notices", "monitoring"]


def _modules() -> list[Any]:
    package = importlib.import_module(__name__)
    names = [
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    ]
    names.sort(key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def all_routes() -> list[Route]:
    routes: list[Route] = []
    for module in _modules():
        routes.extend(getattr(module, "ROUTES", []))
    return routes


def builders() -> list[Builder]:
    return [m.build for m in _modules() if hasattr(m, "build")]
