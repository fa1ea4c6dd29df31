"""The scheduled integrity check finds changed and missing stored files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from evidence.models import Alert
from evidence.services.integrity import SANITY_CHECK_JOB, blobs_sanity_check
from evidence.tasks import sanity_check
from optout.models import Job, LedgerEntry
from optout.services.jobs import job_execute
from tests.conftest import Team
from tests.evidence.conftest import make_item

pytestmark = pytest.mark.django_db


def test_it_finds_a_changed_and_a_missing_file_in_any_label(
    team: Team, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    media = Path(settings.MEDIA_ROOT)
    intact = make_item(team.label, team.rights, data=b"intact", name="intact.txt")
    changed = make_item(team.label, team.rights, data=b"changed", name="c.txt", title="Licence")
    missing = make_item(team.other_label, team.outsider, data=b"missing", name="m.txt")
    (media / changed.blob.storage_name).write_bytes(b"Changed")
    (media / missing.blob.storage_name).unlink()

    with django_capture_on_commit_callbacks(execute=True):
        report_a = blobs_sanity_check(label=team.label)
        report_b = blobs_sanity_check(label=team.other_label)

    assert (report_a.changed, report_a.missing, report_a.alerts) == (1, 0, 1)
    assert (report_b.changed, report_b.missing, report_b.alerts) == (0, 1, 1)
    assert report_a.checked >= 2 and report_b.checked >= 1
    alert_a = Alert.objects.for_label(team.label).get()
    assert alert_a.kind == Alert.Kind.BLOB_CHANGED and alert_a.blob == changed.blob
    assert changed.blob.sha256 in alert_a.message and "Licence" in alert_a.message
    alert_b = Alert.objects.for_label(team.other_label).get()
    assert alert_b.kind == Alert.Kind.BLOB_MISSING and "missing" in alert_b.message
    assert intact.blob.sha256 not in alert_a.message + alert_b.message
    entry = LedgerEntry.objects.for_label(team.label).filter(action="integrity.alert").get()
    assert entry.sha256 == changed.blob.sha256
    # Each label's owners hear about their own label only.
    assert sorted(m.to[0] for m in mail.outbox) == [team.owner.email, team.outsider.email]
    to_a = next(m for m in mail.outbox if m.to == [team.owner.email])
    assert "Label A" in to_a.subject and changed.blob.sha256 in to_a.body
    assert "missing" not in to_a.body


def test_a_second_run_does_not_repeat_an_open_alert(team: Team, settings: Any) -> None:
    item = make_item(team.label, team.rights)
    (Path(settings.MEDIA_ROOT) / item.blob.storage_name).unlink()
    blobs_sanity_check(label=team.label)
    report = blobs_sanity_check(label=team.label)
    assert report.missing == 1 and report.alerts == 0
    assert Alert.objects.for_label(team.label).count() == 1


def test_the_check_is_a_job_per_label_started_by_the_beat_once_at_a_time(
    team: Team, settings: Any
) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["evidence-sanity-check"]
    assert schedule["task"] == "evidence.sanity_check" and schedule["schedule"] > 0
    item = make_item(team.label, team.rights)
    (Path(settings.MEDIA_ROOT) / item.blob.storage_name).unlink()

    sanity_check()
    sanity_check()  # the first jobs are still waiting: nothing new is started
    job = Job.objects.for_label(team.label).get(kind=SANITY_CHECK_JOB)
    assert Job.objects.for_label(team.other_label).filter(kind=SANITY_CHECK_JOB).count() == 1
    assert not Alert.objects.for_label(team.label).exists()

    job_execute(code=str(job.code))
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == 100
    assert job.result["missing"] == 1 and job.result["checked"] >= 1
    assert Alert.objects.for_label(team.label).filter(kind=Alert.Kind.BLOB_MISSING).exists()

    sanity_check()  # the last one is done: the next beat starts another
    assert Job.objects.for_label(team.label).filter(kind=SANITY_CHECK_JOB).count() == 2
