"""The platform-controls and crawler-logs pages: render, record a check with a screenshot,
upload a log and read its report, export it; bad input gets a form error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from monitoring.models import CrawlerLog, PlatformControlCheck
from optout.models import Job
from tests.conftest import Team
from tests.monitoring.accesslogs import mixed_log, write_log
from tests.monitoring.conftest import run_job

pytestmark = pytest.mark.django_db


def page(team: Team, name: str, **kwargs: object) -> str:
    return reverse(f"monitoring:{name}", kwargs={"slug": team.label.slug, **kwargs})


def test_controls_page_records_a_check_with_a_screenshot(team: Team) -> None:
    client = team.client_for(team.rights)
    listed = client.get(page(team, "controls"))
    assert listed.status_code == 200
    assert "Third-party training" in listed.content.decode()
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "shot.png"
    done = client.post(page(team, "controls"), {
        "action": "check", "control": "youtube-third-party-training", "state": "on",
        "account": "<b>Main</b>", "screenshot": buffer,
    })  # fmt: skip
    assert done.status_code == 302
    check = PlatformControlCheck.objects.for_label(team.label).get()
    assert check.evidence_item is not None and check.account == "<b>Main</b>"
    shown = client.get(page(team, "controls")).content.decode()
    assert "&lt;b&gt;Main&lt;/b&gt;" in shown and "<b>Main</b>" not in shown
    bad = client.post(page(team, "controls"), {"action": "period", "recheck_days": "0"})
    assert bad.status_code == 400 and "Choose between 1 and" in bad.content.decode()
    viewer = team.client_for(team.viewer).get(page(team, "controls")).content.decode()
    assert "Record a check" not in viewer


def test_crawler_log_page_upload_report_and_export(team: Team, tmp_path: Path) -> None:
    client = team.client_for(team.rights)
    assert client.get(page(team, "crawler_logs")).status_code == 200
    path = write_log(tmp_path, "site.log", mixed_log())
    with path.open("rb") as handle:
        response = client.post(page(team, "crawler_logs"), {"file": handle})
    assert response.status_code == 302
    log = CrawlerLog.objects.for_label(team.label).get()
    assert response["Location"] == page(team, "crawler_log", code=log.code)
    assert "being analysed" in client.get(response["Location"]).content.decode()
    assert run_job(log.job).status == Job.Status.DONE
    shown = client.get(response["Location"]).content.decode()
    assert "GPTBot" in shown and "not combined log format" in shown
    exported = client.post(page(team, "crawler_log_export", code=log.code))
    assert exported.status_code == 302
    log.refresh_from_db()
    assert log.evidence_item is not None
    overview = client.get(page(team, "crawler_logs")).content.decode()
    assert "GPTBot" in overview
    empty = client.post(page(team, "crawler_logs"), {})
    assert empty.status_code == 400 and "Choose a log file." in empty.content.decode()
