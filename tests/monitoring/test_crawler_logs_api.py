"""The crawler-logs API: multipart upload (gzip), 202 + Location while the job runs, then the
report per agent; the export as an evidence item; clear 4xx for bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from monitoring.models import CrawlerLog
from optout.models import Job
from tests.conftest import Team
from tests.monitoring.accesslogs import mixed_log, write_log
from tests.monitoring.conftest import run_job
from tests.polling import assert_pollable

pytestmark = pytest.mark.django_db


def fields(response: Any) -> dict[str, Any]:
    found: dict[str, Any] = response.json()["error"]["fields"]
    return found


def url(team: Team, name: str, **kwargs: Any) -> str:
    return reverse(f"api:monitoring:{name}", kwargs={"slug": team.label.slug, **kwargs})


def test_upload_poll_report_and_export(team: Team, tmp_path: Path) -> None:
    path = write_log(tmp_path, "access.log.gz", mixed_log(), gzipped=True)
    client = team.client_for(team.rights)
    with path.open("rb") as handle:
        response = client.post(url(team, "crawler-logs"), {"file": handle})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and body["job"]["status"] == "pending"
    assert body["original_name"] == "access.log.gz" and len(body["sha256"]) == 64
    detail = url(team, "crawler-log", id=body["id"])
    assert response["Location"] == f"http://testserver{detail}"
    assert_pollable(client, response, same_id=body["id"])
    viewer = team.client_for(team.viewer)
    waiting = viewer.get(detail)
    assert waiting.status_code == 202 and waiting["Location"] == f"http://testserver{detail}"
    assert_pollable(viewer, waiting, same_id=body["id"])

    log = CrawlerLog.objects.for_label(team.label).get(code=body["id"])
    assert run_job(log.job).status == Job.Status.DONE
    report = team.client_for(team.counsel).get(detail)
    assert report.status_code == 200
    data = report.json()
    assert data["job"]["status"] == "done"
    assert data["report"]["malformed"] == 3 and data["report"]["lines"] == 20
    agents = {a["token"]: a for a in data["agents"]}
    # Version 1 only (no second version here): every AI fetch outside the signal files
    # is a violation on both days.
    assert agents["GPTBot"]["requests"] == 5 and agents["GPTBot"]["violations"] == 4
    assert agents["GPTBot"]["first_seen"] and agents["GPTBot"]["last_seen"]
    assert agents["Googlebot"]["violations"] == 0

    running = client.get(url(team, "crawler-agents")).json()
    assert {r["token"]: r["violations"] for r in running}["GPTBot"] == 4

    assert (
        team.client_for(team.viewer).post(url(team, "crawler-log-export", id=log.code)).status_code
        == 403
    )
    exported = client.post(url(team, "crawler-log-export", id=log.code))
    assert exported.status_code == 201 and exported.json()["evidence_item"]
    again = client.post(url(team, "crawler-log-export", id=log.code))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_exported"


def test_bad_uploads_get_clear_errors(team: Team, tmp_path: Path, settings: Any) -> None:
    client = team.client_for(team.rights)
    target = url(team, "crawler-logs")
    missing = client.post(target, {})
    assert missing.status_code == 400 and "file" in fields(missing)
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    with empty.open("rb") as handle:
        response = client.post(target, {"file": handle})
    assert response.status_code == 400 and "file" in fields(response)
    refused = client.post(target, {"path": "/etc/passwd"})
    assert refused.status_code == 400 and "path" in fields(refused)
    settings.OPTOUT_CRAWLER_LOG_DIRS = [str(tmp_path)]
    outside = client.post(target, {"path": "/etc/passwd"})
    assert outside.status_code == 400 and "outside" in fields(outside)["path"][0]
    write_log(tmp_path, "ok.log", mixed_log())
    inside = client.post(
        target, {"path": str(tmp_path / "ok.log")}, content_type="application/json"
    )
    assert inside.status_code == 202 and inside.json()["source"] == "server_path"
    assert_pollable(client, inside, same_id=inside.json()["id"])
    assert team.client_for(team.viewer).post(target, {}).status_code == 403
    assert team.client_for(team.outsider).get(target).status_code == 404
