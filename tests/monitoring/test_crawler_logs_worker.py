"""End to end with a real Celery worker: a gzip access log uploaded through the API is
analysed by the worker; polling the Location answers 202, then 200 with the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from tests.conftest import Team
from tests.monitoring.accesslogs import mixed_log, write_log
from tests.workers import Worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_worker_analyses_an_uploaded_gzip_log(
    team: Team, tmp_path: Path, celery_worker: Worker
) -> None:
    path = write_log(tmp_path, "access.log.gz", mixed_log(), gzipped=True)
    client = team.client_for(team.rights)
    with transaction.atomic(), path.open("rb") as handle:
        response = client.post(
            reverse("api:monitoring:crawler-logs", kwargs={"slug": team.label.slug}),
            {"file": handle},
        )
    assert response.status_code == 202, response.content
    location = response["Location"]

    def analysed() -> object:
        polled = client.get(location)
        return polled if polled.status_code == 200 else None

    report = wait_for(analysed, timeout=120, interval=0.5, what="the log's analysis").json()
    assert report["status"] == "done", celery_worker.output()
    assert report["job"]["status"] == "done"
    assert (report["report"]["lines"], report["report"]["malformed"]) == (20, 3)
    agents = {a["token"]: a for a in report["agents"]}
    assert (agents["GPTBot"]["requests"], agents["GPTBot"]["violations"]) == (5, 4)
    assert agents["ClaudeBot"]["violations"] == 1 and agents["Bytespider"]["violations"] == 2
