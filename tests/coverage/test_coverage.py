"""Protection coverage: every count and flag of a catalog with known gaps, on the dashboard,
in the API, on a recording's page, in the CSV and the PDF."""

from __future__ import annotations

import csv
import io
import subprocess
from typing import Any

import pytest
from django.db import transaction

from optout.models import CoverageSnapshot, CoverageState, Job, RecordingCoverage
from optout.services.coverage import (
    REFRESH_JOB,
    coverage_changed,
    coverage_refresh,
    coverage_refresh_due,
    coverage_refresh_request,
)
from tests.conftest import Team
from tests.coverage.catalog import (
    EXPECTED_CATALOG_SCORE,
    EXPECTED_CHECKS,
    EXPECTED_FLAGS,
    EXPECTED_NEXT_STEPS,
    EXPECTED_SCORES,
    LEFT_OUT,
    GapCatalog,
    build_gap_catalog,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def gaps(team: Team) -> GapCatalog:
    found = build_gap_catalog(team.label, team.owner)
    coverage_refresh(label=team.label)
    return found


def _api(team: Team, path: str) -> Any:
    response = team.client_for(team.viewer).get(f"/api/v1/labels/{team.label.slug}/{path}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_summary_counts_every_check_flag_and_score(team: Team, gaps: GapCatalog) -> None:
    state = CoverageState.objects.for_label(team.label).get()
    checks = state.summary["checks"]
    assert {k: (v["passed"], v["applicable"]) for k, v in checks.items()} == EXPECTED_CHECKS
    assert not set(LEFT_OUT) & set(checks)
    assert state.summary["flags"] == EXPECTED_FLAGS
    assert state.score == EXPECTED_CATALOG_SCORE
    assert state.recordings == 5
    rows = {r.recording_id: r.score for r in RecordingCoverage.objects.for_label(team.label)}
    assert {k: rows[rec.pk] for k, rec in gaps.recordings.items()} == EXPECTED_SCORES
    assert [s["check"] for s in state.summary["next_steps"]] == EXPECTED_NEXT_STEPS
    # The release score is the mean of its tracks' scores.
    assert state.summary["releases"]["count"] == 2
    lowest = {r["title"]: r["score"] for r in state.summary["releases"]["lowest"]}
    assert lowest == {"Sold in Sweden": round((46.7 + 6.7) / 2, 1), "Not yet out": 25.0}
    snapshot = CoverageSnapshot.objects.for_label(team.label).get()
    assert snapshot.score == EXPECTED_CATALOG_SCORE and snapshot.passed["master"] == 2


def test_the_dashboard_shows_the_same_numbers(team: Team, gaps: GapCatalog) -> None:
    page = team.client_for(team.viewer).get(f"/l/{team.label.slug}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="coverage-score">22 %' in html
    for key, (passed, applicable) in EXPECTED_CHECKS.items():
        assert f'data-check="{key}" data-passed="{passed}" data-applicable="{applicable}"' in html
    for key, count in EXPECTED_FLAGS.items():
        assert f'data-flag="{key}" data-count="{count}"' in html
    assert "5 recordings lack published terms captured recently" in html
    assert "3 recordings have no verified master: upload them" in html
    # Charts are SVG with a table behind them.
    assert html.count('<svg class="chart" role="img"') >= 2
    assert 'data-testid="matters-by-status"' in html


def test_the_api_answers_the_summary_and_one_recordings_checklist(
    team: Team, gaps: GapCatalog
) -> None:
    body = _api(team, "coverage/")
    assert body["score"] == EXPECTED_CATALOG_SCORE and body["recordings"] == 5
    assert {c["key"]: (c["passed"], c["applicable"]) for c in body["checks"]} == EXPECTED_CHECKS
    assert {f["key"]: f["count"] for f in body["flags"]} == EXPECTED_FLAGS
    assert [s["key"] for s in body["next_steps"]] == EXPECTED_NEXT_STEPS
    assert body["next_steps"][0]["count"] == 5
    assert [s["key"] for s in body["first_week"]] == [
        "document", "publish", "notify", "monitor", "escalate"
    ]  # fmt: skip
    assert [s["done"] for s in body["first_week"]] == [True, False, False, False, False]

    r2 = gaps.recordings["r2"]
    one = _api(team, f"recordings/{r2.code}/coverage/")
    assert one["id"] == str(r2.code) and one["score"] == EXPECTED_SCORES["r2"]
    states = {c["key"]: c["passed"] for c in one["checks"]}
    assert states == {
        "master": False,
        "tagged": False,
        "isrc": True,
        "work": False,
        "contributors": False,
        "notices": False,
        "terms": False,
        "fingerprint": False,
        "territories": False,
    }
    detail = {c["key"]: c["detail"] for c in one["checks"]}
    assert detail["contributors"] == "A vocalist has no voice clause or consent."
    r1 = _api(team, f"recordings/{gaps.recordings['r1'].code}/coverage/")
    master = next(c for c in r1["checks"] if c["key"] == "master")
    assert master["passed"] is True and master["date"]


def test_another_labels_recording_is_not_found(team: Team, gaps: GapCatalog) -> None:
    code = gaps.recordings["r1"].code
    client = team.client_for(team.outsider)
    assert client.get(f"/api/v1/labels/label-b/recordings/{code}/coverage/").status_code == 404
    assert client.get("/api/v1/labels/label-a/coverage/").status_code == 404


def test_the_recording_page_shows_masters_evidence_matters_and_the_checklist(
    team: Team, gaps: GapCatalog
) -> None:
    from evidence.models import Matter

    r1 = gaps.recordings["r1"]
    matter = Matter.objects.create(label=team.label, title="Leak of Song R1")
    matter.recordings.add(r1)
    page = team.client_for(team.a_r).get(f"/l/{team.label.slug}/catalog/recordings/{r1.code}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="recording-checklist"' in html
    assert 'data-check="master" data-passed="yes"' in html
    assert 'data-check="notices" data-passed="no"' in html
    assert "Song R1.wav" in html and 'data-testid="recording-masters"' in html
    assert "Leak of Song R1" in html and 'data-testid="recording-matters"' in html
    assert "Evidence and matters" in html
    # A&R may upload a master from here; a viewer sees no form.
    assert f"?recording={r1.code}" in html
    viewer = team.client_for(team.viewer).get(f"/l/{team.label.slug}/catalog/recordings/{r1.code}/")
    assert f"?recording={r1.code}" not in viewer.content.decode()


def test_the_csv_has_every_check_of_every_recording(team: Team, gaps: GapCatalog) -> None:
    response = team.client_for(team.viewer).get(f"/l/{team.label.slug}/coverage/report.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for key in (*EXPECTED_CHECKS, *LEFT_OUT):
        assert key in header
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert len(by_code) == 5
    r3 = by_code[str(gaps.recordings["r3"].code)]
    assert r3["master"] == "pass" and r3["isrc"] == "fail" and r3["notices"] == "n/a"
    assert r3["tagged"] == "fail" and r3["signals"] == "n/a" and r3["score"] == "25.0"


def test_the_pdf_report_reads_back(team: Team, gaps: GapCatalog, tmp_path: Any) -> None:
    response = team.client_for(team.counsel).get(f"/l/{team.label.slug}/coverage/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    raw = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    text = " ".join(raw.split())  # table cells wrap
    assert "Protection coverage of Label A" in text
    assert "22.3 %" in text
    assert "Silent sublicensing" in text and "Voice not covered" in text
    assert "5 recordings lack published terms captured recently" in text


def test_the_dashboard_speaks_swedish(team: Team, gaps: GapCatalog) -> None:
    client = team.client_for(team.viewer)
    html = client.get(f"/l/{team.label.slug}/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Skyddstäckning" in html
    assert "Nästa steg" in html


@pytest.mark.django_db(transaction=True)
def test_changes_are_debounced_into_one_waiting_refresh(team: Team) -> None:
    build_gap_catalog(team.label, team.owner)
    coverage_changed(label=team.label)  # outside a transaction: marks now
    assert coverage_refresh_due() >= 1  # label A, and label B (its creation was a change)
    assert coverage_refresh_due() == 0  # one waits already for each
    coverage_changed(label=team.label)
    assert coverage_refresh_request(label=team.label) is None
    assert coverage_refresh_due() == 0
    waiting = Job.objects.for_label(team.label).filter(kind=REFRESH_JOB)
    assert waiting.count() == 1


def test_a_rolled_back_change_marks_nothing(team: Team) -> None:
    state = CoverageState.objects.for_label(team.label).first()
    before = state.changed_at if state else None
    with transaction.atomic():
        coverage_changed(label=team.label)
        transaction.set_rollback(True)
    after = CoverageState.objects.for_label(team.label).first()
    assert (after.changed_at if after else None) == before


def test_a_title_that_a_spreadsheet_would_run_is_quoted_in_the_csv(team: Team) -> None:
    from catalog.models import Recording

    Recording.objects.create(label=team.label, title='=HYPERLINK("http://evil.example","x")')
    coverage_refresh(label=team.label)
    response = team.client_for(team.viewer).get(f"/l/{team.label.slug}/coverage/report.csv")
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2] == '\'=HYPERLINK("http://evil.example","x")'


def test_rights_set_the_freshness_window_of_captured_terms(team: Team) -> None:
    url = f"/api/v1/labels/{team.label.slug}/coverage/"
    viewer = team.client_for(team.viewer)
    assert (
        viewer.patch(url, {"freshness_days": 30}, content_type="application/json").status_code
        == 403
    )
    rights = team.client_for(team.rights)
    refused = rights.patch(url, {"freshness_days": 0}, content_type="application/json")
    assert refused.status_code == 400 and "freshness_days" in str(refused.json())
    saved = rights.patch(url, {"freshness_days": 30}, content_type="application/json")
    assert saved.status_code == 200 and saved.json()["freshness_days"] == 30
    page = rights.post(f"/l/{team.label.slug}/coverage/settings/", {"freshness_days": "99999"})
    assert page.status_code == 302
    assert CoverageState.objects.for_label(team.label).get().freshness_days == 30
    rights.post(f"/l/{team.label.slug}/coverage/settings/", {"freshness_days": "45"})
    assert CoverageState.objects.for_label(team.label).get().freshness_days == 45


def test_a_next_step_for_one_recording_is_in_the_singular(team: Team) -> None:
    from catalog.models import Recording

    Recording.objects.create(label=team.label, title="Alone", isrc="SEABC2600009")
    coverage_refresh(label=team.label)
    html = team.client_for(team.viewer).get(f"/l/{team.label.slug}/").content.decode()
    assert "1 recording has no verified master: upload it" in html
    swedish = team.client_for(team.viewer).get(f"/l/{team.label.slug}/", HTTP_ACCEPT_LANGUAGE="sv")
    assert "1 inspelning saknar verifierad master: ladda upp den" in swedish.content.decode()


def test_many_changes_in_one_transaction_mark_the_label_once(
    team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    from optout.services.coverage import coverage_changed

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(3):
            coverage_changed(label=team.label)
        coverage_changed(label=team.other_label)
    marks = [c for c in callbacks if getattr(c, "coverage_label", None)]
    assert sorted(c.coverage_label for c in marks) == sorted([team.label.pk, team.other_label.pk])
