"""End to end with a real Celery worker: a master uploaded through the API becomes ready,
is fingerprinted by the job its readiness queued, and a suspect uploaded through the API is
checked by the worker and matched, which the worker commits as a new-match alert."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from catalog.models import Master, Recording
from evidence.models import Alert
from monitoring.models import Fingerprint, Suspect
from tests.conftest import Team
from tests.monitoring.audio import ffmpeg, sox
from tests.monitoring.conftest import SEEDS
from tests.workers import Worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_worker_fingerprints_a_new_master_and_matches_a_suspect(
    team: Team, tracks: dict[int, Path], tmp_path: Path, celery_worker: Worker
) -> None:
    recording = Recording.objects.create(label=team.label, title="Live", isrc="SEABC2609999")
    slug = {"slug": team.label.slug}
    with transaction.atomic(), tracks[SEEDS[2]].open("rb") as handle:
        response = team.client_for(team.a_r).post(
            reverse("api:catalog:masters", kwargs=slug),
            {"recording": recording.isrc, "file": handle},
        )
    assert response.status_code == 201, response.content
    master = Master.objects.for_label(team.label).get(code=response.json()["id"])

    def fingerprinted() -> Fingerprint | None:
        found = Fingerprint.objects.for_label(team.label).filter(master=master).first()
        return found if found is not None and found.status != "pending" else None

    fingerprint = wait_for(fingerprinted, timeout=120, what="the master's fingerprint")
    assert fingerprint.status == Fingerprint.Status.READY, celery_worker.output()

    clip = sox(tracks[SEEDS[2]], tmp_path / "clip.wav", "trim", "40", "25")
    copy = ffmpeg(clip, tmp_path / "clip.mp3", "-b:a", "128k")
    with transaction.atomic(), copy.open("rb") as handle:
        response = team.client_for(team.rights).post(
            reverse("api:monitoring:suspects", kwargs=slug), {"file": handle}
        )
    assert response.status_code == 202, response.content
    suspect = Suspect.objects.for_label(team.label).get(code=response.json()["id"])

    def checked() -> bool:
        suspect.refresh_from_db()
        return bool(suspect.status != Suspect.Status.PENDING)

    wait_for(checked, timeout=120, what="the suspect's check")
    assert suspect.status == Suspect.Status.DONE, celery_worker.output()
    [match] = suspect.matches.all()
    assert match.master_id == master.pk and abs(match.master_offset - 40) <= 1
    alert = Alert.objects.for_label(team.label).get(kind=Alert.Kind.NEW_MATCH)
    assert alert.subject_code == str(suspect.code) and "- Live (SEABC2609999)" in alert.message
