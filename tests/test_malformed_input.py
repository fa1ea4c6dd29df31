"""Malformed input never makes a server error, on every write route and list filter.

Three classes of input that used to end in a 500, sent by label A's owner (who may do
everything) to every route of the matrix world (tests/matrix/), inside a savepoint:

* JSON nested far deeper than the decoder's recursion limit, to every JSON write;
* a lone UTF-16 surrogate in each string field of every JSON write (from the OpenAPI
  request body and the route's sample data), and its invalid UTF-8 bytes in every form;
* a NUL character in query parameters of every GET route (the schema's filters and any
  other name).

API answers are 4xx in the error shape of ``optout/api/errors.py``; HTML answers are 4xx
or a page re-rendered with the form's errors — never 5xx.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid
from functools import cache
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.parsers import JSONParser as DrfJSONParser

from optout.api.parsers import JSONParser
from tests.matrix import Objects, Route, World, all_routes, route_url
from tests.matrix._world import SharedWorld

ROUTES = all_routes()
BODY_METHODS = ("POST", "PUT", "PATCH")
JSON_WRITES = [
    (route, method)
    for route in ROUTES
    if route.format == "json"
    for method in route.writes
    if method in BODY_METHODS
]
FORM_WRITES = [
    (route, method) for route in ROUTES if route.format == "form" for method in route.writes
]
GETS = [route for route in ROUTES if route.read is not None]

FAST = settings(
    max_examples=2,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

lone_surrogates = st.builds(
    lambda before, surrogate, after: before + surrogate + after,
    st.text(max_size=4),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.text(max_size=4),
)
nul_text = st.builds(
    lambda before, after: f"{before}\x00{after}", st.text(max_size=4), st.text(max_size=4)
)
param_names = st.from_regex(r"[a-z_]{1,12}", fullmatch=True)


@pytest.fixture
def world(shared_world: SharedWorld, db: Any) -> World:
    return shared_world.world


@pytest.fixture(autouse=True)
def _media_root(shared_world: SharedWorld) -> Any:
    return shared_world.media


@cache
def _operations() -> dict[str, dict[str, Any]]:
    """Route name → {METHOD: (operation, components)} from the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    found: dict[str, dict[str, Any]] = {}
    for path, operations in schema["paths"].items():
        concrete = re.sub(r"\{slug\}", "label-a", path)
        concrete = re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), concrete)
        match = resolve(concrete)
        name = ":".join([*match.namespaces, match.url_name or ""])
        for method, operation in operations.items():
            found.setdefault(name, {})[method.upper()] = (operation, schema["components"])
    return found


def _deref(node: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = components["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _string_fields(route: Route, method: str, objs: Objects) -> list[str]:
    """Writable string properties of the request body, and the sample data's string keys."""
    names: set[str] = set()
    operation, components = _operations().get(route.name, {}).get(method, (None, None))
    if operation is not None:
        content = operation.get("requestBody", {}).get("content", {})
        body = content.get("application/json", {}).get("schema")
        if body:
            for name, prop in _deref(body, components).get("properties", {}).items():
                prop = _deref(prop, components)
                if prop.get("type") == "string" and not prop.get("readOnly"):
                    names.add(name)
    data = route.data(objs) if route.data else {}
    if isinstance(data, dict):
        names |= {key for key, value in data.items() if isinstance(value, str)}
    return sorted(names)


def _query_names(route: Route) -> list[str]:
    names = set(urllib.parse.parse_qs(route.query.lstrip("?")))
    for operation, _components in _operations().get(route.name, {}).values():
        names |= {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    return sorted(names)


def _send(client: Client, method: str, url: str, body: str | bytes, content_type: str) -> Any:
    with transaction.atomic():
        response = client.generic(method, url, body, content_type=content_type)
        transaction.set_rollback(True)
    return response


def _assert_api_error(response: Any, where: str) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, f"{where} answered {response.status_code}"
    body = response.json()
    assert set(body) == {"error"}, f"{where}: {body}"
    assert isinstance(body["error"]["code"], str) and body["error"]["message"], where
    return dict(body["error"])


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _views(patterns: list[Any]) -> list[Any]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            found.append(entry.callback)
    return found


def test_every_json_parser_is_the_guarded_one() -> None:
    """A view naming DRF's JSONParser directly would skip the depth and surrogate checks."""
    bare = []
    for view in _views(get_resolver().url_patterns):
        cls: Any = getattr(view, "cls", None)
        for parser in getattr(cls, "parser_classes", []):
            if issubclass(parser, DrfJSONParser) and not issubclass(parser, JSONParser):
                bare.append(f"{cls.__module__}.{cls.__name__}")
    assert not bare, bare


@pytest.mark.parametrize(("route", "method"), JSON_WRITES, ids=lambda v: getattr(v, "name", v))
def test_deeply_nested_json_is_a_400(world: World, route: Route, method: str) -> None:
    client = _client(world.a.owner)
    url = route_url(route, world.a)
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000):
        response = _send(client, method, url, body, "application/json")
        if response.status_code < 400:
            continue  # the view takes no body and never parsed it
        error = _assert_api_error(response, f"{method} {url}")
        if response.status_code == 400:
            assert error["code"] in ("parse_error", "invalid"), error


@pytest.mark.parametrize(("route", "method"), JSON_WRITES, ids=lambda v: getattr(v, "name", v))
@FAST
@given(text=lone_surrogates)
def test_a_lone_surrogate_in_a_json_string_field_is_a_400_naming_it(
    world: World, route: Route, method: str, text: str
) -> None:
    client = _client(world.a.owner)
    url = route_url(route, world.a)
    data = route.data(world.a) if route.data else {}
    for field in _string_fields(route, method, world.a):
        body = json.dumps({**data, field: text})  # ensure_ascii keeps the lone surrogate
        response = _send(client, method, url, body, "application/json")
        if response.status_code < 400:
            continue  # the view takes no body and never parsed it
        error = _assert_api_error(response, f"{method} {url} {field}")
        if response.status_code == 400:
            assert field in error.get("fields", {}), error


@pytest.mark.parametrize(("route", "method"), FORM_WRITES, ids=lambda v: getattr(v, "name", v))
def test_invalid_utf8_and_nul_in_form_fields_are_no_server_error(
    world: World, route: Route, method: str
) -> None:
    """Django decodes invalid UTF-8 in a form with replacement characters, so a surrogate's
    bytes (%ED%A0%80) arrive as U+FFFD; NUL is refused by the form fields' validators."""
    client = _client(world.a.owner)
    url = route_url(route, world.a)
    data = route.data(world.a) if route.data else {}
    strings = [key for key, value in data.items() if isinstance(value, str)] or ["name"]
    for poison in ("%ED%A0%80", "x%00y"):
        for field in strings:
            pairs = [
                f"{urllib.parse.quote(k)}={urllib.parse.quote(str(v))}" for k, v in data.items()
            ]
            pairs = [p for p in pairs if not p.startswith(f"{urllib.parse.quote(field)}=")]
            body = "&".join([*pairs, f"{urllib.parse.quote(field)}={poison}"])
            response = _send(client, method, url, body, "application/x-www-form-urlencoded")
            assert response.status_code < 500, f"{method} {url} {field}={poison}"


@pytest.mark.parametrize("route", GETS, ids=lambda r: r.name)
@FAST
@given(name=param_names, value=nul_text)
def test_nul_in_a_query_parameter_is_a_400(
    world: World, route: Route, name: str, value: str
) -> None:
    client = _client(world.a.owner)
    base = route_url(route, world.a)
    for param in [*_query_names(route), name]:
        query = urllib.parse.urlencode({param: value})
        with transaction.atomic():
            response = client.get(f"{base}?{query}")
            transaction.set_rollback(True)
        where = f"GET {base}?{query}"
        if route.is_api:
            error = _assert_api_error(response, where)
            assert response.status_code == 400 and param in error["fields"], error
        else:
            assert response.status_code == 400, f"{where} answered {response.status_code}"
            assert "NUL" in response.content.decode(), where
