from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

from optout.models import ApiToken
from optout.services.tokens import token_create
from tests.conftest import Team
from tests.polling import assert_pollable

pytestmark = pytest.mark.django_db


def _api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_authenticates_as_its_user(team: Team, api_token: str) -> None:
    body = _api(api_token).get("/api/v1/me/").json()
    assert body == {"id": str(team.owner.code), "email": team.owner.email, "name": "Alice Owner"}
    labels = _api(api_token).get("/api/v1/labels/").json()
    assert [(lbl["slug"], lbl["role"]) for lbl in labels] == [("label-a", "owner")]


def test_bad_and_revoked_tokens_get_401_with_the_error_shape(team: Team) -> None:
    token, key = token_create(user=team.viewer, name="x")
    assert _api(key).get("/api/v1/me/").status_code == 200
    bad = _api("oo_not-a-token").get("/api/v1/me/")
    assert bad.status_code == 401 and bad["WWW-Authenticate"] == "Token"
    assert bad.json() == {
        "error": {
            "code": "authentication_failed",
            "message": "The token is not valid or was revoked.",
        }
    }
    client = team.client_for(team.viewer)
    client.post(f"/account/tokens/{token.code}/revoke/")
    assert _api(key).get("/api/v1/me/").status_code == 401


def test_tokens_page_shows_a_new_key_once_and_stores_only_its_hash(team: Team) -> None:
    client = team.client_for(team.viewer)
    page = client.post("/account/tokens/", {"name": "sync"})
    key = page.context["new_key"]
    assert key.startswith("oo_") and key.encode() in page.content
    stored = ApiToken.objects.get(user=team.viewer)
    assert key not in (stored.key_hash, stored.prefix) and stored.prefix == key[:10]
    assert key.encode() not in client.get("/account/tokens/").content


def test_a_user_cannot_revoke_someone_elses_token(team: Team) -> None:
    token, key = token_create(user=team.owner, name="owner's")
    response = team.client_for(team.viewer).post(f"/account/tokens/{token.code}/revoke/")
    assert response.status_code == 404
    assert _api(key).get("/api/v1/me/").status_code == 200


def test_token_create_command_prints_the_token_on_its_last_line(team: Team, capsys) -> None:
    call_command("token", "create", team.counsel.email, "--name", "ci")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert _api(key).get("/api/v1/me/").json()["email"] == team.counsel.email


def test_validation_errors_name_the_field(team: Team, api_token: str) -> None:
    response = _api(api_token).post(
        f"/api/v1/labels/{team.label.slug}/invitations/",
        {"email": "nope", "role": "emperor"},
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {"email", "role"}
    service_error = _api(api_token).post(
        f"/api/v1/labels/{team.label.slug}/invitations/",
        {"email": team.viewer.email, "role": "viewer"},
        content_type="application/json",
    )
    assert service_error.status_code == 400
    assert "already a member" in service_error.json()["error"]["fields"]["email"][0]


def test_malformed_json_and_unknown_routes_get_json_errors(team: Team, api_token: str) -> None:
    client = _api(api_token)
    broken = client.post(
        f"/api/v1/labels/{team.label.slug}/invitations/",
        "{not json",
        content_type="application/json",
    )
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "parse_error"
    missing = client.get("/api/v1/labels/no-such-label/jobs/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong_method = client.delete(f"/api/v1/labels/{team.label.slug}/jobs/")
    assert wrong_method.status_code == 405


def test_the_ledger_is_listed_newest_first_with_its_hashes(team: Team, api_token: str) -> None:
    page = _api(api_token).get(f"/api/v1/labels/{team.label.slug}/ledger/").json()
    seqs = [e["seq"] for e in page["results"]]
    assert seqs == sorted(seqs, reverse=True)
    assert {"prev_hash", "entry_hash", "actor", "action"} <= set(page["results"][0])


def test_the_openapi_schema_validates(tmp_path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "schema.yaml"),
        ],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/labels/{slug}/jobs/{id}/" in text
    # Every 202 tells a generated client where to poll.
    schema = yaml.safe_load(text)
    accepted = [
        (path, method, operation["responses"]["202"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "202" in operation.get("responses", {})
    ]
    assert len(accepted) >= 15, [(p, m) for p, m, _ in accepted]
    missing = [(p, m) for p, m, answer in accepted if "Location" not in answer.get("headers", {})]
    assert missing == []


def test_the_api_docs_page_loads_its_assets_from_this_server(client: Client) -> None:
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert (
        b"cdn" not in page.content.lower() and b"/static/drf_spectacular_sidecar/" in page.content
    )


def test_a_ledger_verification_answers_its_job_and_where_to_poll_it(
    team: Team, api_token: str
) -> None:
    client = _api(api_token)
    started = client.post(f"/api/v1/labels/{team.label.slug}/ledger/verify/")
    assert started.status_code == 202, started.content
    job = started.json()
    assert job["kind"] == "ledger.verify" and job["status"] == "pending"
    # No object of its own: Location names the job, for the same token.
    assert started["Location"] == (
        f"http://testserver/api/v1/labels/{team.label.slug}/jobs/{job['id']}/"
    )
    assert assert_pollable(client, started, same_id=job["id"]).json()["kind"] == "ledger.verify"
