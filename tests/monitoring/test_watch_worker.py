"""End to end with a real Celery worker and its beat: the schedule of a watched page comes
due, beat starts the capture, the worker captures the loopback page, the capture-finished
hook compares it and raises the alert, and the e-mail reaches a loopback SMTP server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from evidence.models import Alert, CaptureSchedule
from evidence.services.alert_preferences import alert_preferences_set
from monitoring.models import WatchCheck
from monitoring.services.watches import watch_create
from tests.conftest import Team
from tests.evidence.captures.conftest import Site, html
from tests.monitoring.mail import Inbox, body
from tests.workers import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.worker]


def test_beat_and_worker_capture_a_changed_page_and_mail_the_alert(
    team: Team, site: Site, smtp: Inbox, worker_factory: Any, monkeypatch: Any, settings: Any
) -> None:
    monkeypatch.setenv("OPTOUT_FETCH_ALLOWED_HOSTS", f"127.0.0.1:{site.port}")
    monkeypatch.setenv("OPTOUT_CAPTURE_RENDER", "false")
    monkeypatch.setenv("OPTOUT_CAPTURE_SCHEDULE_SECONDS", "5")
    monkeypatch.setenv("OPTOUT_EMAIL", "smtp")
    monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("EMAIL_PORT", str(settings.EMAIL_PORT))
    worker = worker_factory()
    alert_preferences_set(
        label=team.label, user=team.rights, deliveries={"watch_changed": "immediately"}
    )
    site.routes["/terms"] = html("<p>You may stream the music.</p>")
    watch = watch_create(
        label=team.label, actor=team.rights, url=site.url("/terms"), purpose="partner_terms",
        interval_hours=24, name="Fjord terms",
    )  # fmt: skip

    def checks() -> list[WatchCheck]:
        return list(WatchCheck.objects.for_label(team.label).filter(watch=watch))

    wait_for(checks, timeout=90, what="the first capture's check")
    assert checks()[0].outcome == "first", worker.output()

    site.routes["/terms"] = html(
        "<p>You may stream the music.</p><p>We may train AI models on uploads.</p>"
    )
    CaptureSchedule.objects.for_label(team.label).filter(pk=watch.schedule_id).update(
        next_run_at=timezone.now() - timedelta(minutes=1)
    )
    wait_for(lambda: len(checks()) == 2, timeout=90, what="beat's scheduled capture")
    changed = WatchCheck.objects.for_label(team.label).get(watch=watch, outcome="changed")
    assert "+We may train AI models on uploads." in changed.diff.splitlines()
    assert Alert.objects.for_label(team.label).filter(kind="watch_changed").count() == 1
    wait_for(lambda: smtp.to(team.rights.email), timeout=30, what="the alert e-mail")
    assert "+We may train AI models on uploads." in body(smtp.to(team.rights.email)[0])
