"""The cross-label / role matrix: every route, every role, two labels. See tests/matrix/."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from optout.roles import CAPABILITIES, Role
from tests.matrix import (
    EXTERNAL_NAMES,
    EXTERNAL_PREFIXES,
    Objects,
    Route,
    World,
    all_routes,
)
from tests.matrix._world import SharedWorld

ROUTES = all_routes()
ROUTES_BY_NAME = {r.name: r for r in ROUTES}
LABEL_ROUTES = [r for r in ROUTES if r.kind == "label"]
OUR_APPS = {"optout", "policy", "catalog", "evidence", "notices", "monitoring"}


def _names(patterns: list[Any], namespace: str = "") -> set[str]:
    found: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            prefix = f"{namespace}{ns}:" if ns else namespace
            found |= _names(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            found.add(f"{namespace}{entry.name}")
    return found


def _external(name: str) -> bool:
    return name in EXTERNAL_NAMES or name.startswith(EXTERNAL_PREFIXES)


def test_every_route_is_in_the_matrix() -> None:
    served = {n for n in _names(get_resolver().url_patterns) if not _external(n)}
    missing = sorted(served - set(ROUTES_BY_NAME))
    assert not missing, f"Routes missing from tests/matrix/: {missing}"
    stale = sorted(set(ROUTES_BY_NAME) - served)
    assert not stale, f"tests/matrix/ lists routes that no longer exist: {stale}"
    assert len(ROUTES_BY_NAME) == len(ROUTES), "A route is listed twice."


def test_every_api_operation_is_in_the_matrix() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    problems = []
    for path, operations in schema["paths"].items():
        concrete = re.sub(r"\{slug\}", "label-a", path)
        concrete = re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), concrete)
        match = resolve(concrete)
        name = ":".join([*match.namespaces, match.url_name or ""])
        route = ROUTES_BY_NAME.get(name)
        for method in operations:
            verb = method.upper()
            if route is None:
                problems.append(f"{verb} {path}: no route {name!r} in tests/matrix/")
            elif verb not in route.methods:
                problems.append(f"{verb} {path}: method not listed for {name!r}")
    assert not problems, "\n".join(problems)


# --- the matrix itself ---------------------------------------------------------------------


@pytest.fixture
def world(shared_world: SharedWorld, db: Any) -> World:
    return shared_world.world


@pytest.fixture(autouse=True)
def _media_root(shared_world: SharedWorld) -> Path:
    # The shared world's files live in its own media folder for the whole module.
    return shared_world.media


def _url(route: Route, objs: Objects, slug: str | None = None) -> str:
    kwargs = route.kwargs(objs)
    if route.kind == "label":
        kwargs = {"slug": slug or objs.label.slug, **kwargs}
    return reverse(route.name, kwargs=kwargs) + (route.query if route.query else "")


def _request(client: Client, route: Route, method: str, url: str, objs: Objects) -> Any:
    if method == "GET":
        return client.get(url)
    data = route.data(objs) if route.data else {}
    if route.format == "json":
        return client.generic(method, url, json.dumps(data), content_type="application/json")
    if method == "POST":
        return client.post(url, data)
    return client.generic(method, url, data)


def _row_counts() -> tuple[int, ...]:
    """Every table's row count, in one round trip."""
    tables = [
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS | {"account", "mfa"}
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in sorted(set(tables)))
        )
        row = cursor.fetchone()
    return tuple(row)


def _attempt(
    client: Client, route: Route, method: str, url: str, objs: Objects
) -> tuple[int, bool]:
    """Make the request inside a savepoint that is rolled back; report status and whether
    any table's row count changed."""
    with transaction.atomic():
        before = _row_counts() if method != "GET" else ()
        response = _request(client, route, method, url, objs)
        changed = method != "GET" and _row_counts() != before
        transaction.set_rollback(True)
    return response.status_code, changed


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("route", LABEL_ROUTES, ids=lambda r: r.name)
def test_another_labels_user_gets_404(world: World, route: Route) -> None:
    """A member of label B asking for label A's URLs: 404 for every method, nothing written."""
    client = _client(world.outsider)
    url = _url(route, world.a)
    for method in route.methods or ["GET"]:
        status, changed = _attempt(client, route, method, url, world.a)
        assert status in (404, 405), f"{method} {url} as outsider answered {status}"
        assert not changed, f"{method} {url} as outsider changed rows"


class _Probe:
    """Stands in for a label's objects to find out whether a route's URL names one."""

    def __getattr__(self, name: str) -> _Probe:
        return self


def _names_an_object(route: Route) -> bool:
    return any(isinstance(v, _Probe) for v in route.kwargs(_Probe()).values())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "route", [r for r in LABEL_ROUTES if _names_an_object(r)], ids=lambda r: r.name
)
def test_another_labels_object_under_this_slug_is_404(world: World, route: Route) -> None:
    """Label A's owner naming label B's objects in label A's URL: 404, nothing written."""
    client = _client(world.a.owner)
    url = _url(route, world.b, slug=world.a.label.slug)
    for method in route.methods:
        status, changed = _attempt(client, route, method, url, world.b)
        assert status in (404, 405), f"{method} {url} answered {status}"
        assert not changed


@pytest.mark.parametrize("route", LABEL_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_gets_what_its_role_allows(world: World, route: Route, role: str) -> None:
    client = _client(world.roles[role])
    url = _url(route, world.a)
    allowed = CAPABILITIES[Role(role)]
    for method in route.methods:
        needed = route.needs(method)
        status, changed = _attempt(client, route, method, url, world.a)
        if needed in allowed:
            assert status not in (403, 404, 405), f"{role} {method} {url} answered {status}"
            assert status < 500
        else:
            assert status == 403, f"{role} {method} {url} answered {status}, expected 403"
            assert not changed, f"{role} {method} {url} was refused but changed rows"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kind != "public"], ids=lambda r: r.name)
def test_anonymous_is_asked_to_sign_in(world: World, route: Route) -> None:
    client = Client()
    url = _url(route, world.a)
    for method in route.methods:
        status, changed = _attempt(client, route, method, url, world.a)
        if route.is_api or route.name == "api-schema":
            assert status in (401, 403), f"anonymous {method} {url} answered {status}"
        else:
            assert status in (302, 403, 405), f"anonymous {method} {url} answered {status}"
        assert not changed


@pytest.mark.parametrize("route", [r for r in ROUTES if r.kind == "public"], ids=lambda r: r.name)
def test_public_routes_answer_anonymous_requests(world: World, route: Route) -> None:
    status, _changed = _attempt(Client(), route, "GET", _url(route, world.a), world.a)
    assert status < 500 and status != 403


@pytest.mark.parametrize("route", [r for r in LABEL_ROUTES if r.is_api], ids=lambda r: r.name)
def test_options_answers_every_api_route_without_touching_data(world: World, route: Route) -> None:
    """OPTIONS (CORS preflights, API explorers) is read-only and never a server error."""
    for user in (world.a.owner, world.outsider):
        status, changed = _attempt(_client(user), route, "OPTIONS", _url(route, world.a), world.a)
        assert status in (200, 403, 404, 405) if user is world.a.owner else status in (404, 405)
        assert not changed
