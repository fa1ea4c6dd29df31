"""A database that goes away answers 503 with Retry-After, never a 500."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from optout.views.errors import server_error
from tests.conftest import Team

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_down() -> Iterator[None]:
    """Point the default connection at a loopback port that refuses every connection."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(holder.getsockname()[1]))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
        holder.close()


def _assert_unavailable(response: Any) -> None:
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


def test_a_page_answers_503_with_retry_after_while_the_database_is_down(
    team: Team, request: pytest.FixtureRequest
) -> None:
    client = team.client_for(team.owner)
    request.getfixturevalue("database_down")
    response = client.get(f"/l/{team.label.slug}/jobs/")

    _assert_unavailable(response)
    assert "text/html" in response["Content-Type"]
    assert "The database is not available right now" in response.content.decode()


def test_the_api_answers_503_in_its_error_shape_while_the_database_is_down(
    team: Team, api_token: str, request: pytest.FixtureRequest
) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token}")
    request.getfixturevalue("database_down")
    response = client.get(f"/api/v1/labels/{team.label.slug}/jobs/")

    _assert_unavailable(response)
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "not available" in response.json()["error"]["message"]


def test_the_same_requests_answer_normally_once_the_database_is_back(
    team: Team, api_token: str
) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token}")
    assert client.get(f"/api/v1/labels/{team.label.slug}/jobs/").status_code == 200


@pytest.mark.parametrize("path", ["/l/label-a/jobs/", "/api/v1/labels/"])
def test_a_database_error_raised_outside_a_view_is_a_503_too(rf: RequestFactory, path: str) -> None:
    # Django calls handler500 while handling an exception a middleware raised.
    try:
        raise OperationalError("the database system is shutting down")
    except OperationalError:
        response = server_error(rf.get(path))
    _assert_unavailable(response)
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(rf.get(path)).status_code == 500
