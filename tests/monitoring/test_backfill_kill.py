"""A back-fill (``manage.py fingerprint_masters``) run by a real Celery worker that is killed
(kill -9 of the whole worker) part-way: a new worker finishes the job, every master ends
with one fingerprint, and none is fingerprinted twice."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from catalog.models import Master, Recording
from monitoring.models import Fingerprint
from monitoring.services.fingerprints import FINGERPRINT, FINGERPRINT_BACKFILL
from optout.models import Job, LedgerEntry
from tests.conftest import Team
from tests.monitoring.audio import sox
from tests.monitoring.conftest import SEEDS, upload_master
from tests.workers import Worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_backfill_killed_midway_completes_without_fingerprinting_twice(
    team: Team, tracks: dict[int, Path], tmp_path: Path, worker_factory: Any
) -> None:
    masters: list[Master] = []
    for number in range(6):
        seed = SEEDS[number % len(SEEDS)]
        source = sox(tracks[seed], tmp_path / f"source-{number}.wav", "vol", f"{0.9 - number / 20}")
        recording = Recording.objects.create(
            label=team.label, title=f"T{number}", isrc=f"SEABC26{number + 1:05d}"
        )
        masters.append(upload_master(team, recording, source, tmp_path))
    # As if the masters were ready before fingerprinting existed.
    Fingerprint.objects.for_label(team.label).all().delete()
    Job.objects.for_label(team.label).filter(kind=FINGERPRINT).delete()

    first: Worker = worker_factory()
    call_command("fingerprint_masters", "--label", team.label.slug, stdout=StringIO())
    job = Job.objects.for_label(team.label).get(kind=FINGERPRINT_BACKFILL)

    def ready() -> list[Fingerprint]:
        return list(
            Fingerprint.objects.for_label(team.label).filter(status=Fingerprint.Status.READY)
        )

    done_before = wait_for(ready, timeout=240, interval=0.05, what="a first fingerprint")
    first.kill_everything()
    stamps = {f.master_id: f.fingerprinted_at for f in ready()}
    assert 1 <= len(stamps) < len(masters), "the back-fill ended before the kill"
    assert done_before

    second: Worker = worker_factory()

    def finished() -> Job | None:
        job.refresh_from_db()
        return job if job.is_finished else None

    wait_for(finished, timeout=300, what="the back-fill after the restart")
    assert job.status == Job.Status.DONE, second.output()
    assert job.attempts >= 2
    # The second attempt did only what was left.
    assert job.result == {"fingerprinted": len(masters) - len(stamps), "failed": 0}
    prints = ready()
    assert sorted(f.master_id for f in prints) == sorted(m.pk for m in masters)
    for fingerprint in prints:
        if fingerprint.master_id in stamps:
            assert fingerprint.fingerprinted_at == stamps[fingerprint.master_id]
    # One "fingerprint stored" custody entry per master: none was fingerprinted twice.
    stored = LedgerEntry.objects.for_label(team.label).filter(action="fingerprint.stored")
    assert sorted(stored.values_list("object_code", flat=True)) == sorted(
        str(m.code) for m in masters
    )
