"""Catalog import details: the report's type and name, date conventions, a missing title
column, GRid and proprietary release ids, purge messages, single-line values and track
numbers taken from row order."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from catalog.models import Recording, Release
from catalog.services.imports.rows import validate_row
from optout.models import Job
from tests.catalog.test_imports import report_rows, run_import, write
from tests.conftest import Team


@pytest.mark.django_db
def test_the_report_is_utf8_csv_named_after_the_source_file(team: Team, tmp_path: Path) -> None:
    record = run_import(team, write(tmp_path, "bad.csv", "ISRC,Title\nXX-SKG-19-12345,Bad\n"))
    assert record.error_report is not None
    client = team.client_for(team.owner)
    for url in (
        reverse("catalog:import_report", args=[team.label.slug, record.code]),
        f"/api/v1/labels/{team.label.slug}/imports/{record.code}/report/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        disposition = response["Content-Disposition"]
        assert "bad-rejected-rows.csv" in disposition and ".csv.csv" not in disposition
        body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        assert body.splitlines()[0] == "row,severity,column,value,reason"


@pytest.mark.django_db
def test_a_day_above_12_anywhere_in_the_column_decides_the_date_convention(
    team: Team, tmp_path: Path
) -> None:
    day_first = (
        "ISRC,Title,UPC,Release Date\n"
        "SEABC2600001,One,036000291452,04/03/2024\n"
        "SEABC2600002,Two,4006381333931,25/12/2024\n"
    )
    run_import(team, write(tmp_path, "dmy.csv", day_first))
    assert str(Release.objects.for_label(team.label).get(upc="0036000291452").release_date) == (
        "2024-03-04"
    )
    month_first = day_first.replace("25/12/2024", "12/25/2024")
    run_import(team, write(tmp_path, "mdy.csv", month_first))
    assert str(Release.objects.for_label(team.label).get(upc="0036000291452").release_date) == (
        "2024-04-03"
    )


@pytest.mark.django_db
def test_an_ambiguous_date_is_refused_with_both_readings(team: Team, tmp_path: Path) -> None:
    text = "ISRC,Title,UPC,Release Date\nSEABC2600001,One,036000291452,04/03/2024\n"
    record = run_import(team, write(tmp_path, "ambiguous.csv", text))
    [warning] = report_rows(record)
    assert (warning["severity"], warning["column"]) == ("warning", "Release Date")
    assert "2024-03-04 (day/month)" in warning["reason"]
    assert "2024-04-03 (month/day)" in warning["reason"]
    release = Release.objects.for_label(team.label).get()
    assert release.release_date is None  # the release itself is kept
    assert Recording.objects.for_label(team.label).get().isrc == "SEABC2600001"


@pytest.mark.django_db
def test_an_unknown_title_column_is_named_with_the_accepted_ones(
    team: Team, tmp_path: Path
) -> None:
    record = run_import(team, write(tmp_path, "names.csv", "ISRC,Name\nSEABC2600001,Song\n"))
    [error] = report_rows(record)
    assert error["severity"] == "rejected"
    assert "“ISRC”, “Name”" in error["reason"] and "“Track Title”" in error["reason"]


@pytest.mark.django_db
def test_releases_without_upc_are_matched_by_grid_or_proprietary_id(
    team: Team, tmp_path: Path
) -> None:
    text = (
        "ISRC,Title,GRid,Proprietary ID,Proprietary Namespace,Release Title\n"
        "SEABC2600001,One,A1-2425G-ABC1234002-M,,,By GRid\n"
        "SEABC2600002,Two,,CAT-0042,PADPIDA2007050901U,By proprietary id\n"
        "SEABC2600003,Three,A1-2425G-ABC1234002-Q,,,Bad GRid\n"
    )
    path = write(tmp_path, "ids.csv", text)
    record = run_import(team, path)
    assert (record.rows_rejected, record.summary["warnings"]) == (0, 1)
    [warning] = report_rows(record)
    assert warning["column"] == "GRid" and "check character" in warning["reason"]
    by_grid = Release.objects.for_label(team.label).get(grid="A12425GABC1234002M")
    by_id = Release.objects.for_label(team.label).get(proprietary_id="CAT-0042")
    assert (by_grid.title, by_grid.upc) == ("By GRid", "")
    assert (by_id.title, by_id.proprietary_namespace) == ("By proprietary id", "PADPIDA2007050901U")
    assert by_grid.tracks.get().recording.isrc == "SEABC2600001"
    assert by_id.tracks.get().recording.isrc == "SEABC2600002"
    again = run_import(team, path)
    assert (again.summary["releases_inserted"], again.summary["releases_updated"]) == (0, 0)
    assert again.summary["tracks_written"] == 0
    assert Release.objects.for_label(team.label).count() == 2


@pytest.mark.django_db
def test_a_purge_message_fails_saying_nothing_was_applied(team: Team, tmp_path: Path) -> None:
    text = (
        '<ern:PurgeReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43">'
        "<MessageHeader><MessageId>P1</MessageId></MessageHeader>"
        "<PurgedRelease><ReleaseId><ICPN>036000291452</ICPN></ReleaseId></PurgedRelease>"
        "</ern:PurgeReleaseMessage>"
    )
    record = run_import(team, write(tmp_path, "purge.xml", text))
    assert record.job.status == Job.Status.FAILED
    assert "not applied" in record.job.error and "nothing was changed" in record.job.error


@pytest.mark.django_db
def test_line_breaks_in_single_line_values_become_spaces(team: Team, tmp_path: Path) -> None:
    text = 'ISRC,Title,P Line\nSEABC2600001,"Two\nLines","(P) 2024\n   Example  Records"\n'
    run_import(team, write(tmp_path, "lines.csv", text))
    recording = Recording.objects.for_label(team.label).get()
    assert (recording.title, recording.p_line) == ("Two Lines", "(P) 2024 Example Records")


@pytest.mark.django_db
def test_track_numbers_taken_from_row_order_are_noted(team: Team, tmp_path: Path) -> None:
    text = "ISRC,Title,UPC\nSEABC2600001,One,036000291452\nSEABC2600002,Two,036000291452\n"
    client = team.client_for(team.a_r)
    record = run_import(team, write(tmp_path, "order.csv", text))
    assert record.summary["track_numbers_from_row_order"] == 2
    [note] = record.summary["notes"]
    assert "Track numbers were not in the file" in note and "row order" in note
    page = client.get(reverse("catalog:import", args=[team.label.slug, record.code]))
    assert note in page.content.decode()
    numbered = "ISRC,Title,UPC,Track Number\nSEABC2600003,Three,4006381333931,1\n"
    assert run_import(team, write(tmp_path, "numbered.csv", numbered)).summary["notes"] == []


@pytest.mark.parametrize(
    ("raw", "kept", "severity", "dropped"),
    [
        # A release-only row keeps its release when only its date is bad.
        ({"upc": "036000291452", "release_date": "someday"}, True, "warning", "release_date"),
        # Exclusions without "Worldwide" are left out; the territories stay.
        (
            {
                "isrc": "SEABC2600001",
                "title": "T",
                "upc": "036000291452",
                "territories": "SE",
                "excluded_territories": "NO",
            },
            True,
            "warning",
            "excluded_territories",
        ),
        # A bad track number unlinks the row from its release but keeps the recording.
        (
            {"isrc": "SEABC2600001", "title": "T", "upc": "036000291452", "track_number": "0"},
            True,
            "warning",
            "upc",
        ),
        # A malformed ISRC rejects the row, whatever else is valid.
        ({"isrc": "SEABC26", "title": "T", "upc": "036000291452"}, False, "rejected", "isrc"),
        # A release-only row whose only identifier is bad has nothing to keep.
        ({"grid": "A1-2425G-ABC1234002-Q"}, False, "rejected", "grid"),
    ],
)
def test_what_a_bad_value_costs(
    raw: dict[str, str], kept: bool, severity: str, dropped: str
) -> None:
    row, problems = validate_row(2, raw, {})
    assert (row is not None) == kept
    assert problems and {p.severity for p in problems} == {severity}
    if row is not None:
        assert getattr(row, dropped) is None
        assert row.isrc == raw.get("isrc") and (row.territories is None) == (
            "territories" not in raw
        )
