"""The coverage refresh runs in the real Celery worker, queued by the beat task after a
change, and the dashboard then shows the new numbers."""

from __future__ import annotations

import pytest
from django.db import transaction

from catalog.models import Recording
from optout.models import CoverageState, Job, RecordingCoverage
from optout.services.coverage import REFRESH_JOB, coverage_changed, coverage_refresh_due
from tests.conftest import Team
from tests.coverage.catalog import EXPECTED_CATALOG_SCORE, build_gap_catalog
from tests.workers import Worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _refreshed(team: Team) -> CoverageState | None:
    state = CoverageState.objects.for_label(team.label).filter(label=team.label).first()
    return state if state is not None and not state.is_stale else None


def test_a_change_is_counted_by_the_refresh_job_in_the_worker(
    team: Team, celery_worker: Worker
) -> None:
    with transaction.atomic():
        build_gap_catalog(team.label, team.owner)
        coverage_changed(label=team.label)
    assert coverage_refresh_due() >= 1
    job = wait_for(
        lambda: (
            Job.objects.for_label(team.label)
            .filter(kind=REFRESH_JOB, status__in=("done", "failed"))
            .first()
        ),
        timeout=60,
        what="the coverage refresh",
    )
    assert job.status == "done", celery_worker.output()
    state = _refreshed(team)
    assert state is not None
    assert state.score == EXPECTED_CATALOG_SCORE and state.recordings == 5

    # A new recording with nothing documented: the next refresh counts it.
    with transaction.atomic():
        Recording.objects.create(label=team.label, title="Brand new")
        coverage_changed(label=team.label)
    assert _refreshed(team) is None  # the summary now says an update is pending
    page = team.client_for(team.viewer).get(f"/l/{team.label.slug}/").content.decode()
    assert "Update pending" in page
    coverage_refresh_due()
    state = wait_for(lambda: _refreshed(team), timeout=60, what="the second refresh")
    assert state.recordings == 6
    scores = list(RecordingCoverage.objects.for_label(team.label).values_list("score", flat=True))
    assert len(scores) == 6 and 0.0 in scores
    assert state.score == round(sum(scores) / 6, 1) < EXPECTED_CATALOG_SCORE
