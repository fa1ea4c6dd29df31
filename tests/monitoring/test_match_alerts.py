"""A suspect that holds a copy of a catalog recording is a ``new_match`` alert, naming the
recording and linking the suspect, e-mailed as each member chose once the check commits; a
suspect that matches nothing raises none. Suspects are checked by the real fingerprint job,
against a master uploaded and fingerprinted by the catalog's and monitoring's own jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from catalog.models import Master, Recording
from evidence.models import Alert
from evidence.services.alert_preferences import alert_preferences_set
from evidence.services.alerts import alert_digests_send
from monitoring.models import FanReportGroup, Suspect
from monitoring.services.reports import fan_report_submit, report_group_check_as_suspect
from optout.models import Job
from tests.conftest import Team
from tests.monitoring.audio import ffmpeg, sox
from tests.monitoring.conftest import SEEDS, fingerprint_of, run_job, submit_suspect, upload_master
from tests.monitoring.mail import Inbox, body
from tests.servers import FetchSettings, LoopbackServer, respond

pytestmark = pytest.mark.django_db

SUBJECT = "[Label A] Alert: New fingerprint match"


@pytest.fixture
def master(team: Team, tracks: dict[int, Path], tmp_path: Path) -> Master:
    """One recording of the catalog with a ready, fingerprinted master."""
    recording = Recording.objects.create(
        label=team.label, title="Midnight Sun", isrc="SEABC2600001"
    )
    made = upload_master(team, recording, tracks[SEEDS[0]], tmp_path)
    assert run_job(fingerprint_of(made).job).status == Job.Status.DONE
    return made


def _copy(tracks: dict[int, Path], seed: int, folder: Path) -> Path:
    """30 s of a track, re-encoded as a 128 kbit/s MP3, as found elsewhere."""
    clip = sox(tracks[seed], folder / f"clip-{seed}.wav", "trim", "25", "30")
    return ffmpeg(clip, folder / f"copy-{seed}.mp3", "-b:a", "128k")


def _match_alerts(team: Team) -> Any:
    return Alert.objects.for_label(team.label).filter(kind=Alert.Kind.NEW_MATCH)


def test_a_match_is_an_alert_mailed_now_on_commit_or_in_the_digest(
    team: Team,
    master: Master,
    tracks: dict[int, Path],
    tmp_path: Path,
    smtp: Inbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alert_preferences_set(
        label=team.label, user=team.rights, deliveries={"new_match": "immediately"}
    )
    # The viewer keeps the default for this kind (daily); the owner wants none of these.
    alert_preferences_set(label=team.label, user=team.owner, deliveries={"new_match": "never"})
    suspect = submit_suspect(team, _copy(tracks, SEEDS[0], tmp_path), tmp_path)
    with django_capture_on_commit_callbacks() as committed:
        run_job(suspect.job)
        # Nothing leaves before the check's transaction commits.
        assert smtp.messages == []
    suspect.refresh_from_db()
    assert suspect.status == Suspect.Status.DONE, suspect.problem
    assert [m.recording_id for m in suspect.matches.all()] == [master.recording_id]

    alert = _match_alerts(team).get()
    link = f"{django_settings.OPTOUT_BASE_URL}/l/label-a/monitoring/suspects/{suspect.code}/"
    assert alert.message.splitlines() == [
        f"The suspect {suspect.original_name} holds a copy of 1 recording of the catalog:",
        "- Midnight Sun (SEABC2600001)",
        "",
        f"See the suspect: {link}",
    ]
    assert (alert.key, alert.subject_code) == (f"new_match:{suspect.code}", str(suspect.code))
    page = team.client_for(team.viewer).get("/l/label-a/evidence/alerts/?kind=new_match")
    assert "Midnight Sun (SEABC2600001)" in page.content.decode()

    for callback in committed:
        callback()
    # "Immediately": one message to the rights member, naming the recording, with the link.
    assert [m["Subject"] for m in smtp.to(team.rights.email)] == [SUBJECT]
    mailed = body(smtp.to(team.rights.email)[0])
    assert "- Midnight Sun (SEABC2600001)" in mailed and link in mailed
    assert smtp.to(team.owner.email) == [] and smtp.to(team.viewer.email) == []
    # "Daily": the viewer hears of it in the digest.
    assert alert_digests_send(now=timezone.now()) >= 1
    digests = smtp.to(team.viewer.email)
    assert len(digests) == 1 and "Midnight Sun (SEABC2600001)" in body(digests[0])
    assert smtp.to(team.owner.email) == []


def test_a_suspect_that_matches_nothing_raises_no_alert(
    team: Team,
    master: Master,
    tracks: dict[int, Path],
    tmp_path: Path,
    smtp: Inbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alert_preferences_set(
        label=team.label, user=team.rights, deliveries={"new_match": "immediately"}
    )
    # Another track, not in the catalog.
    suspect = submit_suspect(team, _copy(tracks, SEEDS[1], tmp_path), tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        run_job(suspect.job)
    suspect.refresh_from_db()
    assert suspect.status == Suspect.Status.DONE and suspect.references == 1
    assert not suspect.matches.exists()
    assert not _match_alerts(team).exists()
    assert smtp.messages == []


def test_a_fan_report_checked_by_fingerprint_raises_the_same_alert(
    team: Team,
    master: Master,
    tracks: dict[int, Path],
    tmp_path: Path,
    http_server: LoopbackServer,
    fetch_settings: FetchSettings,
    smtp: Inbox,
    django_capture_on_commit_callbacks: Any,
) -> None:
    alert_preferences_set(
        label=team.label, user=team.rights, deliveries={"new_match": "immediately"}
    )
    copy = _copy(tracks, SEEDS[0], tmp_path)
    heard = http_server.route("/uploads/copy.mp3", respond(copy.read_bytes(), headers=[
        ("Content-Type", "audio/mpeg")]))  # fmt: skip
    fetch_settings.allow(f"127.0.0.1:{http_server.port}")
    fan_report_submit(label=team.label, url=heard, kind="copy", subject="Midnight Sun")
    group = FanReportGroup.objects.for_label(team.label).get()
    suspect = report_group_check_as_suspect(group=group, actor=team.rights)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_job(suspect.job).status == Job.Status.DONE
    alert = _match_alerts(team).get()
    assert alert.subject_code == str(suspect.code)
    assert alert.message.startswith(f"The suspect {heard} holds a copy of 1 recording")
    assert "- Midnight Sun (SEABC2600001)" in alert.message
    assert [m["Subject"] for m in smtp.to(team.rights.email)] == [SUBJECT]
