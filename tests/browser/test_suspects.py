"""Monitoring in a real browser: two suspect files dropped on the page at once, one a copy
of a catalog recording and one not; the copy's page draws the matched stretch on both
waveforms with the A/B players, and one click escalates it into a matter."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from catalog.models import Master
from evidence.models import Matter
from monitoring.models import Suspect
from optout.services.jobs import job_execute
from tests.conftest import PASSWORD, Team
from tests.monitoring.audio import ffmpeg, run, sox
from tests.monitoring.conftest import SEEDS, catalog, tracks  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DROP = """([files, target]) => {
  const all = new DataTransfer();
  for (const [name, type, data] of files) {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    all.items.add(new File([bytes], name, { type }));
  }
  const zone = document.querySelector(target);
  zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: all, bubbles: true }));
  zone.dispatchEvent(new DragEvent("drop", { dataTransfer: all, bubbles: true }));
}"""


def _sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/l/**")


def test_drop_two_suspects_and_escalate_the_match(
    team: Team,
    page: Any,
    catalog: Callable[[], dict[int, Master]],  # noqa: F811 - the fixture imported above
    tracks: dict[int, Path],  # noqa: F811
    tmp_path: Path,
    private_redis: Any,
) -> None:
    masters = catalog()
    clip = sox(tracks[SEEDS[0]], tmp_path / "clip.wav", "trim", "20", "30")
    copy = ffmpeg(clip, tmp_path / "found-copy.mp3", "-b:a", "128k")
    other = tmp_path / "something-else.wav"
    run("sox", "-n", "-r", "22050", str(other), "synth", "30", "pluck", "330", "pinknoise",
        "vol", "0.4", "tremolo", "2", "60")  # fmt: skip
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    _sign_in(page, team.rights.email)

    page.goto(f"/l/{team.label.slug}/monitoring/")
    files = [
        [copy.name, "audio/mpeg", base64.b64encode(copy.read_bytes()).decode()],
        [other.name, "audio/wav", base64.b64encode(other.read_bytes()).decode()],
    ]
    page.evaluate(DROP, [files, "#suspect-drop"])
    assert page.locator("#suspect-dropped li").all_inner_texts() == [copy.name, other.name]
    page.get_by_role("button", name="Check", exact=True).click()
    page.wait_for_url(f"**/l/{team.label.slug}/monitoring/")
    assert "2 file(s) received" in page.content()
    suspects = {s.original_name: s for s in Suspect.objects.for_label(team.label)}
    assert set(suspects) == {copy.name, other.name}
    for suspect in suspects.values():
        assert suspect.job is not None
        job_execute(code=str(suspect.job.code))

    page.goto(f"/l/{team.label.slug}/monitoring/suspects/{suspects[other.name].code}/")
    assert page.get_by_text("No copy of any of the label's recordings was found").is_visible()
    assert page.get_by_role("button", name="Open a matter with this evidence").count() == 0

    page.goto(f"/l/{team.label.slug}/monitoring/suspects/{suspects[copy.name].code}/")
    assert page.get_by_text("Fingerprints only find copies of the same recording").is_visible()
    match = page.locator("section.match")
    assert match.count() == 1 and f"Track {SEEDS[0]}" in match.inner_text()
    # Both waveforms drawn, the stretch marked; the A/B players point at the stretches.
    assert match.locator("svg.waveform rect.stretch").count() == 2
    sources = match.locator("audio").evaluate_all("(els) => els.map((e) => e.src)")
    assert "#t=" in sources[0] and "/monitoring/suspects/" in sources[0]
    assert "/catalog/masters/" in sources[1]
    start = float(sources[1].split("#t=")[1].split(",")[0])
    assert abs(start - 20) <= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.get_by_role("button", name="Open a matter with this evidence").click()
    page.wait_for_url("**/matters/*-*-*-*-*/")
    matter = Matter.objects.for_label(team.label).get()
    assert {item.source_key for item in matter.items.all()} == {"suspect", "master"}
    assert list(matter.recordings.all()) == [masters[SEEDS[0]].recording]
    assert problems == []
