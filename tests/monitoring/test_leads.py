"""Soundalike leads: a re-recording of a catalog melody (other instrument, no drums, another
tempo, transposed with sox) is no fingerprint match, but ranks its original among the top 3
leads of the catalog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse

from catalog.models import Master, Recording
from monitoring.models import Suspect
from tests.conftest import Team
from tests.monitoring.audio import sox, synth_track
from tests.monitoring.conftest import SEEDS, check, fingerprint_of, run_job, upload_master

pytestmark = pytest.mark.django_db

EXTRA_SEEDS = (44, 55, 66)


def test_a_cover_ranks_its_original_as_a_lead_not_a_match(
    team: Team, catalog: Callable[[], dict[int, Master]], tmp_path: Path
) -> None:
    masters = catalog()
    for number, seed in enumerate(EXTRA_SEEDS, start=len(SEEDS) + 1):
        recording = Recording.objects.create(
            label=team.label, title=f"Track {seed}", isrc=f"SEABC26{number:05d}"
        )
        track = synth_track(tmp_path / f"extra-{seed}.wav", seed=seed, seconds=50)
        master = upload_master(team, recording, track, tmp_path)
        run_job(fingerprint_of(master).job)
    original = SEEDS[1]
    # The same melody and bass line played on an organ without drums, 8 % faster, then
    # transposed up three semitones and given some room by sox; 30 s of it.
    rerecorded = synth_track(
        tmp_path / "cover.wav", seed=original, timbre="organ", drums=False, tempo=1.08
    )
    cover = sox(rerecorded, tmp_path / "cover-up3.wav", "pitch", "300", "reverb", "40",
                "trim", "12", "30")  # fmt: skip
    suspect = check(team, cover, tmp_path)
    assert suspect.status == Suspect.Status.DONE, suspect.problem
    assert list(suspect.matches.all()) == []  # not a copy of the recording
    leads = list(suspect.leads.all())
    assert len(leads) == 3
    ranked = [lead.recording_id for lead in leads]
    assert masters[original].recording_id in ranked, [(x.recording_id, x.score) for x in leads]
    found = leads[ranked.index(masters[original].recording_id)]
    assert found.transpose == 3 and found.tempo == pytest.approx(1.07, abs=0.09)

    # The page shows it as a lead for review, never as a match.
    html = (
        team.client_for(team.viewer)
        .get(reverse("monitoring:suspect", kwargs={"slug": team.label.slug, "code": suspect.code}))
        .content.decode()
    )
    assert "Soundalike leads (not matches)" in html
    assert "No copy of any of the label" in html
    assert f"Track {original}" in html
    # The API lists it under leads.
    detail = reverse("api:monitoring:suspect", kwargs={"slug": team.label.slug, "id": suspect.code})
    shown = team.client_for(team.viewer).get(detail).json()
    assert shown["matches"] == []
    assert str(masters[original].recording.code) in [lead["recording"] for lead in shown["leads"]]
