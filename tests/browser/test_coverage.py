"""The label's home in a real browser: a new label follows the first-week path to its end,
and the coverage numbers on the page equal the data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalog.models import Master, Partner, PartnerContact, Recording, Release, ReleaseTrack
from evidence.services.matters import matter_create, matter_item_add
from notices.services.notices import notice_create, notice_render_request, notice_send_request
from optout.models import Job, RecordingCoverage
from optout.policy.services.terms import terms_approve, terms_draft_save, terms_publication_add
from optout.services.coverage import coverage_refresh
from optout.services.jobs import job_execute
from tests.audio import write_wav
from tests.conftest import PASSWORD, Team
from tests.coverage.catalog import EXPECTED_CHECKS, EXPECTED_FLAGS, build_gap_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/l/**")


def _run_jobs(team: Team) -> None:
    """The worker's part, here in the test process: every job waiting, until none is."""
    for _ in range(10):
        waiting = list(Job.objects.for_label(team.label).filter(status="pending"))
        if not waiting:
            return
        for job in waiting:
            job_execute(code=str(job.code))


def _progress(page: Any, team: Team) -> str:
    page.goto(f"/l/{team.label.slug}/")
    return str(page.get_by_test_id("path-progress").inner_text())


def test_a_new_label_follows_the_first_week_path_to_its_end(
    team: Team, page: Any, tmp_path: Path, private_redis: Any
) -> None:
    recording = Recording.objects.create(
        label=team.label, title="Nattens Ljus", isrc="SEABC2600001"
    )
    release = Release.objects.create(label=team.label, title="Nattens Ljus", territories=["SE"])
    ReleaseTrack.objects.create(
        label=team.label, release=release, recording=recording, track_number=1
    )
    partner = Partner.objects.create(label=team.label, name="Distro AB", kind="distributor")
    partner.releases.add(release)
    PartnerContact.objects.create(label=team.label, partner=partner, email="legal@distro.test")
    _sign_in(page, team.owner.email)
    assert _progress(page, team) == "0 of 5 steps done"
    assert page.get_by_role("heading", name="Your first week").is_visible()

    # 1. Document: the step leads to the masters; the recording's own page offers the upload.
    page.get_by_role("link", name="Document the catalog").click()
    page.wait_for_url("**/catalog/masters/")
    page.goto(f"/l/{team.label.slug}/catalog/recordings/{recording.code}/")
    assert page.get_by_test_id("recording-checklist").is_visible()
    audio = write_wav(tmp_path / "Nattens Ljus.wav", size=2 * 1024 * 1024, rate=44100)
    page.get_by_label("Audio file").set_input_files(str(audio))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url("**/catalog/masters/*-*-*-*-*/")
    _run_jobs(team)  # the checks, then the fingerprint the ready master asks for
    master = Master.objects.for_label(team.label).get()
    assert master.status == "ready" and master.is_current
    # 1 and 4 (the master was fingerprinted for monitoring) are done.
    assert _progress(page, team) == "2 of 5 steps done"
    done = page.locator('[data-done="yes"]')
    assert sorted(done.evaluate_all("els => els.map(e => e.dataset.step)")) == [
        "document", "monitor",
    ]  # fmt: skip

    # 2. Publish: approve the web-site terms and record where they are published.
    page.get_by_role("link", name="Publish your policy, terms and signals").click()
    page.wait_for_url("**/policy/")
    draft = terms_draft_save(label=team.label, channel="website", language="en", actor=team.owner)
    text = terms_approve(draft=draft, actor=team.owner)
    terms_publication_add(text=text, actor=team.owner, url="https://label-a.example/terms")
    assert _progress(page, team) == "3 of 5 steps done"

    # 3. Notify the partner that carries the release.
    page.get_by_role("link", name="Notify your partners").click()
    page.wait_for_url("**/notices/")
    notice = notice_create(
        label=team.label, partner=partner, scope="catalog", language="en", actor=team.owner
    )
    notice_render_request(notice=notice, actor=team.owner)
    _run_jobs(team)
    notice.refresh_from_db()
    notice_send_request(notice=notice, actor=team.owner)
    _run_jobs(team)
    assert _progress(page, team) == "4 of 5 steps done"

    # 5. Escalate: a matter with the master in it.
    page.get_by_role("link", name="Escalate with evidence").click()
    page.wait_for_url("**/evidence/matters/")
    matter = matter_create(label=team.label, actor=team.owner, title="Copy on a marketplace")
    matter_item_add(matter=matter, actor=team.owner, source_key="master", source_code=master.code)
    assert _progress(page, team) == "5 of 5 steps done"
    assert page.get_by_test_id("path-done").is_visible()

    # The numbers the refresh job stores are what the page shows.
    coverage_refresh(label=team.label)
    page.goto(f"/l/{team.label.slug}/")
    row = RecordingCoverage.objects.for_label(team.label).get(recording=recording)
    score = page.get_by_test_id("coverage-score").inner_text()
    assert score == f"{row.score:.0f} %"
    master_row = page.locator('[data-testid="coverage-checks"] tr[data-check="master"]')
    assert master_row.get_attribute("data-passed") == "1"
    assert master_row.get_attribute("data-applicable") == "1"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "coverage-first-week.png"), full_page=True)


def test_the_dashboard_numbers_equal_a_catalog_with_known_gaps(team: Team, page: Any) -> None:
    build_gap_catalog(team.label, team.owner)
    coverage_refresh(label=team.label)
    _sign_in(page, team.viewer.email)
    page.goto(f"/l/{team.label.slug}/")
    rows = page.locator('[data-testid="coverage-checks"] tbody tr')
    shown = {
        r.get_attribute("data-check"): (
            int(r.get_attribute("data-passed")),
            int(r.get_attribute("data-applicable")),
        )
        for r in rows.all()
    }
    assert shown == EXPECTED_CHECKS
    flags = page.locator('[data-testid="coverage-flags"] li')
    assert {
        f.get_attribute("data-flag"): int(f.get_attribute("data-count")) for f in flags.all()
    } == (EXPECTED_FLAGS)
    # The table behind the territory chart opens and lists the region the catalog sells in.
    figure = page.locator("figure", has=page.get_by_role("heading", name="Coverage by territory"))
    figure.get_by_text("Table").click()
    assert figure.get_by_role("table").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "coverage-dashboard.png"), full_page=True)
