"""Re-capture on a schedule: the due-captures task started by Celery beat."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from evidence.models import Capture, CaptureSchedule
from evidence.services.captures import capture_schedule_set, captures_run_due
from optout.celery import app
from optout.models import LedgerEntry
from tests.conftest import Team
from tests.evidence.captures.conftest import Site

pytestmark = pytest.mark.django_db


def test_beat_runs_the_due_captures_task() -> None:
    entry = django_settings.CELERY_BEAT_SCHEDULE["run-due-captures"]
    assert entry["task"] == "evidence.run_due_captures"
    app.loader.import_default_modules()
    assert "evidence.run_due_captures" in app.tasks


def test_it_starts_due_captures_once_and_moves_the_schedule_on(team: Team, site: Site) -> None:
    due = capture_schedule_set(
        label=team.label, actor=team.rights, url=site.url("/a"), purpose="partner_terms",
        interval_hours=24,
    )  # fmt: skip
    later = capture_schedule_set(
        label=team.label, actor=team.rights, url=site.url("/b"), purpose="other",
        interval_hours=24,
    )  # fmt: skip
    assert due is not None and later is not None
    now = timezone.now()
    CaptureSchedule.objects.for_label(team.label).filter(pk=due.pk).update(
        next_run_at=now - timedelta(minutes=1)
    )

    assert captures_run_due(now=now) == 1
    assert captures_run_due(now=now) == 0
    capture = Capture.objects.for_label(team.label).get()
    assert capture.url == site.url("/a")
    assert capture.trigger == "schedule" and capture.schedule_id == due.pk
    assert capture.purpose == "partner_terms" and capture.requested_by is None
    due.refresh_from_db()
    assert due.next_run_at == now + timedelta(hours=24)


def test_a_new_interval_replaces_the_schedule_of_the_url_and_none_stops_it(
    team: Team, site: Site
) -> None:
    url = site.url("/a")
    capture_schedule_set(
        label=team.label, actor=team.rights, url=url, purpose="other", interval_hours=24
    )
    capture_schedule_set(
        label=team.label, actor=team.rights, url=url, purpose="other", interval_hours=168
    )
    active = CaptureSchedule.objects.for_label(team.label).filter(active=True)
    assert [s.interval_hours for s in active] == [168]
    capture_schedule_set(
        label=team.label, actor=team.rights, url=url, purpose="other", interval_hours=None
    )
    assert not CaptureSchedule.objects.for_label(team.label).filter(active=True).exists()
    assert (
        LedgerEntry.objects.for_label(team.label).filter(action="capture.schedule_stopped").exists()
    )


def test_a_schedule_whose_address_is_no_longer_allowed_stops_on_the_record(
    team: Team, site: Site, settings: Any
) -> None:
    schedule = capture_schedule_set(
        label=team.label, actor=team.rights, url=site.url("/a"), purpose="other", interval_hours=1
    )
    assert schedule is not None
    settings.OPTOUT_FETCH_ALLOWED_HOSTS = []
    assert captures_run_due(now=timezone.now() + timedelta(hours=2)) == 0
    schedule.refresh_from_db()
    assert schedule.active is False
    assert not Capture.objects.for_label(team.label).exists()
    stopped = LedgerEntry.objects.for_label(team.label).get(action="capture.schedule_stopped")
    assert "loopback" in stopped.data["reason"]


def test_the_page_sets_the_schedule_of_a_capture(team: Team, site: Site) -> None:
    from evidence.services.captures import capture_request

    capture = capture_request(
        label=team.label, actor=team.rights, url=site.url("/a"), purpose="other"
    )
    client = team.client_for(team.rights)
    path = f"/l/{team.label.slug}/evidence/captures/{capture.code}/schedule/"
    assert client.post(path, {"recapture_every": "720"}).status_code == 302
    schedule = CaptureSchedule.objects.for_label(team.label).get(active=True)
    assert schedule.interval_hours == 720 and schedule.url == capture.url
    listing = client.get(f"/api/v1/labels/{team.label.slug}/captures/", {"url": capture.url}).json()
    assert [c["recapture_every_hours"] for c in listing["results"]] == [720]
    assert (
        client.get(
            f"/api/v1/labels/{team.label.slug}/captures/", {"url": site.url("/other")}
        ).json()["results"]
        == []
    )
    assert team.client_for(team.viewer).post(path, {"recapture_every": ""}).status_code == 403
    api = f"/api/v1/labels/{team.label.slug}/captures/{capture.code}/schedule/"
    response = client.post(api, {"recapture_every_hours": 0}, content_type="application/json")
    assert response.status_code == 400
    assert "recapture_every_hours" in response.json()["error"]["fields"]
