"""The Monitoring pages: submit several files at once, a suspect's matches with the plain
note on what fingerprints find, escalation to a matter, the index status."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse

from catalog.models import Master
from evidence.models import Matter
from monitoring.models import Suspect
from tests.conftest import Team
from tests.monitoring.audio import ffmpeg, sox
from tests.monitoring.conftest import SEEDS, run_job

pytestmark = pytest.mark.django_db


def page(team: Team, name: str = "index", **kwargs: object) -> str:
    return reverse(f"monitoring:{name}", kwargs={"slug": team.label.slug, **kwargs})


def test_the_form_is_for_rights_members_and_the_nav_names_monitoring(team: Team) -> None:
    response = team.client_for(team.viewer).get(page(team))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="files"' not in html and "Fingerprint index" in html
    assert f'href="{page(team)}"' in html  # the navigation entry
    html = team.client_for(team.rights).get(page(team)).content.decode()
    assert 'name="files"' in html and "multiple" in html
    assert "do not find covers or soundalikes" in html
    assert 'name="url"' in html and 'id="suspect-drop"' in html and "js/suspects.js" in html
    sv = team.client_for(team.rights).get(page(team), headers={"accept-language": "sv"})
    assert "Fingeravtrycksindex" in sv.content.decode()


def test_submit_several_files_then_escalate_a_match(
    team: Team, catalog: Callable[[], dict[int, Master]], tracks: dict[int, Path], tmp_path: Path
) -> None:
    masters = catalog()
    client = team.client_for(team.rights)
    first = ffmpeg(tracks[SEEDS[0]], tmp_path / "first.mp3", "-b:a", "128k")
    second = sox(tracks[SEEDS[1]], tmp_path / "second.wav", "trim", "10", "30")
    with first.open("rb") as one, second.open("rb") as two:
        response = client.post(page(team), {"files": [one, two]})
    assert response.status_code == 302 and response["Location"] == page(team)
    suspects = list(Suspect.objects.for_label(team.label).order_by("original_name"))
    assert [s.original_name for s in suspects] == ["first.mp3", "second.wav"]
    for suspect in suspects:
        run_job(suspect.job)
    detail = page(team, "suspect", code=suspects[1].code)
    html = team.client_for(team.viewer).get(detail).content.decode()
    assert "Track 22" in html and "10.0 s" in html
    assert "Fingerprints only find copies of the same recording" in html
    assert "Soundalike leads (not matches)" in html
    # The matched stretch is drawn on both waveforms: 10 s into the master (75 s long) and
    # from the start of the 30 s suspect, and the A/B players play those stretches.
    stretches = re.findall(r'class="stretch" x="([\d.]+)" y="0" width="([\d.]+)"', html)
    suspect_x, suspect_w = map(float, stretches[0])
    master_x, master_w = map(float, stretches[1])
    assert suspect_x < 20 and suspect_w > 500  # most of the 600 units
    assert abs(master_x - 600 * 10 / 75) < 10 and abs(master_w - 600 * 30 / 75) < 30
    audio = page(team, "suspect_audio", code=suspects[1].code)
    fragments = re.findall(
        r'<audio controls preload="none" src="([^"#]+)#t=([\d.]+),([\d.]+)"', html
    )
    assert fragments[0][0] == audio and float(fragments[0][1]) < 1
    master_url = reverse(
        "catalog:master_download",
        kwargs={"slug": team.label.slug, "code": masters[SEEDS[1]].code},
    )
    assert fragments[1][0] == master_url and abs(float(fragments[1][1]) - 10) < 1
    assert 35 < float(fragments[1][2]) <= 40.5  # the matched stretch: most of the 30 s
    played = team.client_for(team.viewer).get(audio)
    assert played.status_code == 200
    assert played.getvalue() == (second.read_bytes())
    assert "Open a matter" not in html  # the viewer may not escalate
    html = client.get(detail).content.decode()
    assert "Open a matter with this evidence" in html
    response = client.post(page(team, "suspect_escalate", code=suspects[1].code))
    assert response.status_code == 302
    matter = Matter.objects.for_label(team.label).get()
    assert response["Location"].endswith(f"/matters/{matter.code}/")
    assert {item.blob_id for item in matter.items.all()} == {
        suspects[1].blob_id,
        masters[SEEDS[1]].blob_id,
    }
    assert "Open a matter" not in client.get(detail).content.decode()


def test_a_post_without_files_is_a_form_error(team: Team) -> None:
    response = team.client_for(team.rights).post(page(team), {})
    assert response.status_code == 400
    assert "Choose or drop at least one file, or give a URL." in response.content.decode()


def test_a_url_the_fetcher_would_refuse_is_a_form_error(team: Team) -> None:
    response = team.client_for(team.rights).post(page(team), {"url": "http://127.0.0.1/a.mp3"})
    assert response.status_code == 400
    assert "http://127.0.0.1/a.mp3:" in response.content.decode()
    assert not Suspect.objects.for_label(team.label).exists()
