"""Uploading a master in a real browser: the progress bar script, the live checks, and a
refusal shown without leaving the page."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from catalog.models import Master, MasterTaggedCopy, Recording, ResumableUpload
from optout.services.jobs import job_execute
from tests.audio import write_wav
from tests.conftest import PASSWORD, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _sign_in(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/l/**")


def test_upload_with_progress_then_watch_the_checks(
    team: Team, page: Any, tmp_path: Path, private_redis: Any
) -> None:
    recording = Recording.objects.create(
        label=team.label, title="Nattens Ljus", isrc="SEABC2600001"
    )
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    _sign_in(page, team.a_r.email)

    page.goto(f"/l/{team.label.slug}/catalog/masters/?recording={recording.code}")
    assert page.get_by_role("heading", name="Masters of Nattens Ljus").is_visible()
    assert not page.get_by_role("button", name="Cancel upload").is_visible()
    # Something that is not audio: refused in place, with the reason, no navigation.
    notes = tmp_path / "notes.wav"
    notes.write_text("not audio at all\n" * 100)
    page.get_by_label("Audio file").set_input_files(str(notes))
    page.get_by_role("button", name="Upload", exact=True).click()
    error = page.locator(".upload-errors")
    error.wait_for(state="visible")
    assert "not a supported audio file" in error.inner_text()
    assert "/catalog/masters/" in page.url and not Master.objects.unscoped().exists()

    big = write_wav(tmp_path / "Nattens Ljus (final mix).wav", size=24 * 1024 * 1024, rate=44100)
    page.get_by_label("Audio file").set_input_files(str(big))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url("**/catalog/masters/*-*-*-*-*/")
    master = Master.objects.for_label(team.label).get()
    # It went up in pieces through the resumable upload API.
    assert ResumableUpload.objects.for_label(team.label).get(status="done").master == master
    assert page.get_by_role("heading", name="Nattens Ljus (final mix).wav").is_visible()
    assert page.get_by_text("The master was received; it is being checked now.").is_visible()
    assert master.status == Master.Status.RECEIVED

    # The worker's part, here in the test process; the page polls and shows the outcome.
    assert master.job is not None
    job_execute(code=str(master.job.code))
    page.locator("#master-state").get_by_text("Ready", exact=True).wait_for(timeout=15_000)
    assert page.get_by_text("Technical metadata").is_visible()
    assert page.locator("#master-state").get_by_text("44100 Hz").is_visible()
    # The rights-metadata section follows: the copy can now be made.
    page.get_by_role("button", name="Make a copy with rights metadata").wait_for(timeout=15_000)

    page.get_by_role("button", name="Make a copy with rights metadata").click()
    page.wait_for_url("**/catalog/masters/*-*-*-*-*/#tagged")
    copy = MasterTaggedCopy.objects.for_label(team.label).get()
    assert copy.job is not None
    job_execute(code=str(copy.job.code))
    link = page.locator("#tagged-state").get_by_role("link", name="Download with rights metadata")
    link.wait_for(timeout=15_000)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Nattens Ljus (final mix) (rights metadata).wav"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "master.png"), full_page=True)
    page.goto(f"/l/{team.label.slug}/catalog/masters/")
    page.screenshot(path=str(SHOTS / "masters.png"), full_page=True)
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_a_dropped_piece_is_retried_and_a_reload_resumes_where_it_stopped(
    team: Team, page: Any, tmp_path: Path, settings: Any
) -> None:
    settings.OPTOUT_UPLOAD_CHUNK_BYTES = 1024 * 1024
    recording = Recording.objects.create(
        label=team.label, title="Nattens Ljus", isrc="SEABC2600001"
    )
    big = write_wav(tmp_path / "take.wav", size=6 * 1024 * 1024 + 123, rate=44100)
    _sign_in(page, team.a_r.email)
    page.goto(f"/l/{team.label.slug}/catalog/masters/?recording={recording.code}")

    # The network drops the third piece once, then every piece after the fourth: the script
    # retries the first loss by itself and, after the reload, goes on from the server's offset.
    pieces: list[str] = []

    def network(route: Any) -> None:
        if route.request.method != "PUT":
            route.continue_()
            return
        pieces.append(route.request.headers["upload-offset"])
        if len(pieces) == 3 or len(pieces) > 5:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/masters/uploads/*/", network)
    page.get_by_label("Audio file").set_input_files(str(big))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("The connection was lost; trying again").first.wait_for(timeout=10_000)
    upload = ResumableUpload.objects.for_label(team.label).get()

    def offset() -> int:
        upload.refresh_from_db()
        return int(upload.received)

    for _ in range(100):
        if offset() >= 4 * 1024 * 1024 and len(pieces) > 6:
            break
        page.wait_for_timeout(200)
    held = offset()
    assert held == 4 * 1024 * 1024, held  # four whole pieces; the dropped ones count nothing
    assert pieces[:4] == ["0", "1048576", "2097152", "2097152"]

    # The user gives up waiting, reloads and chooses the same file: it continues, not restarts.
    page.unroute("**/masters/uploads/*/")
    sent_after: list[str] = []

    def watch(route: Any) -> None:
        if route.request.method == "PUT":
            sent_after.append(route.request.headers["upload-offset"])
        route.continue_()

    page.route("**/masters/uploads/*/", watch)
    page.reload()
    page.get_by_label("Audio file").set_input_files(str(big))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_url("**/catalog/masters/*-*-*-*-*/")
    master = Master.objects.for_label(team.label).get()
    assert sent_after[0] == str(held)
    assert ResumableUpload.objects.for_label(team.label).count() == 1
    assert master.size == big.stat().st_size
    assert master.received_sha256 == hashlib.sha256(big.read_bytes()).hexdigest()
