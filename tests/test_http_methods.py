"""HTML routes answer only the methods they serve: PUT, PATCH and DELETE are a 405.

Every HTML route of the matrix world (tests/matrix/) is swept as label A's owner, who may
do everything, so a 403 cannot hide a route that would otherwise act on the method. For
another label's member the 404 comes first: a route reveals nothing about its methods to
someone who may not see the label, except on routes that only ever take POST, whose 405
is the same for every label and so tells nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.matrix import Route, World, all_routes, route_url
from tests.matrix._world import SharedWorld

HTML_ROUTES = [r for r in all_routes() if not r.is_api and r.name != "api-schema"]
METHODS = ("PUT", "PATCH", "DELETE")


@pytest.fixture
def world(shared_world: SharedWorld, db: Any) -> World:
    return shared_world.world


@pytest.fixture(autouse=True)
def _media_root(shared_world: SharedWorld) -> Any:
    return shared_world.media


def _status(user: Any, method: str, url: str) -> int:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        response = client.generic(method, url, "title=x", "application/x-www-form-urlencoded")
        transaction.set_rollback(True)
    return int(response.status_code)


@pytest.mark.parametrize("route", HTML_ROUTES, ids=lambda r: r.name)
def test_put_patch_and_delete_on_html_routes_are_405(world: World, route: Route) -> None:
    url = route_url(route, world.a)
    user = world.a.owner if route.kind != "public" else None
    for method in METHODS:
        assert _status(user, method, url) == 405, f"{method} {url}"


@pytest.mark.parametrize(
    "route", [r for r in HTML_ROUTES if r.kind == "label"], ids=lambda r: r.name
)
def test_another_labels_member_gets_404_before_405(world: World, route: Route) -> None:
    url = route_url(route, world.a)
    expected = 404 if route.read is not None else 405
    for method in METHODS:
        assert _status(world.outsider, method, url) == expected, f"{method} {url}"


def test_a_read_only_view_refuses_post_too(world: World) -> None:
    url = reverse("dashboard", kwargs={"slug": world.a.label.slug})
    assert _status(world.a.owner, "POST", url) == 405
    assert _status(world.a.owner, "GET", url) == 200
