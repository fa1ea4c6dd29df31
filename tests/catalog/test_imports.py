"""Catalog imports: CSV dialects, column aliases, DDEX 4.3 and 3.8, error reports,
idempotent re-imports, the upload page, the API and the command."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalog.models import CatalogImport, Recording, Release, ReleaseTrack
from catalog.services.imports.service import catalog_import_start_path
from catalog.services.settings import column_aliases_update
from optout.models import Job, LedgerEntry
from optout.services.blobs import blob_open
from optout.services.jobs import job_execute
from tests.conftest import Team
from tests.polling import assert_pollable

SAMPLES = Path(__file__).parent / "samples"


def run_import(team: Team, path: Path, fmt: str = "auto") -> CatalogImport:
    record = catalog_import_start_path(label=team.label, actor=team.owner, path=path, format=fmt)
    job_execute(code=str(record.job.code))
    found: CatalogImport = (
        CatalogImport.objects.for_label(team.label)
        .select_related("job", "error_report")
        .get(pk=record.pk)
    )
    return found


def report_rows(record: CatalogImport) -> list[dict[str, str]]:
    assert record.error_report is not None
    with blob_open(record.error_report) as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


CLEAN_CSV = (
    "ISRC,Title,Artist,UPC,Release Title,ISWC,Track Number\n"
    "SE-ABC-26-00001,First,The Band,036000291452,The Album,T-034.524.680-1,1\n"
    "SEABC2600002,Second,The Band,036000291452,The Album,,2\n"
    "SEABC2600003,Third,Other Band,4006381333931,Other Album,T-101.914.232-4,1\n"
)


@pytest.mark.django_db
def test_it_imports_recordings_releases_works_and_track_lists(team: Team, tmp_path: Path) -> None:
    record = run_import(team, write(tmp_path, "catalog.csv", CLEAN_CSV))
    assert record.job.status == Job.Status.DONE, record.job.error
    assert record.rows_total == 3 and record.rows_rejected == 0 and record.error_report is None
    first = Recording.objects.for_label(team.label).select_related("work").get(isrc="SEABC2600001")
    assert (first.title, first.display_artist, first.work.iswc) == (
        "First",
        "The Band",
        "T0345246801",
    )
    album = Release.objects.for_label(team.label).get(upc="0036000291452")
    tracks = (
        ReleaseTrack.objects.for_label(team.label).filter(release=album).order_by("track_number")
    )
    assert [t.recording.isrc for t in tracks] == ["SEABC2600001", "SEABC2600002"]
    assert record.summary["recordings_inserted"] == 3 and record.summary["releases_inserted"] == 2
    assert (
        LedgerEntry.objects.for_label(team.label).filter(action="catalog.import.finished").exists()
    )


@pytest.mark.django_db
def test_reimporting_an_unchanged_file_writes_no_rows(team: Team, tmp_path: Path) -> None:
    path = write(tmp_path, "catalog.csv", CLEAN_CSV)
    run_import(team, path)
    stamps = dict(Recording.objects.for_label(team.label).values_list("isrc", "updated_at"))
    again = run_import(team, path)
    counts = {
        k: v for k, v in again.summary.items() if k not in {"rows_staged", "rows_imported", "notes"}
    }
    assert set(counts.values()) == {0}, again.summary
    assert dict(Recording.objects.for_label(team.label).values_list("isrc", "updated_at")) == stamps
    changed = write(tmp_path, "changed.csv", CLEAN_CSV.replace("Third,", "Third (new),"))
    third = run_import(team, changed)
    assert third.summary["recordings_updated"] == 1 and third.summary["recordings_inserted"] == 0


@pytest.mark.django_db
def test_the_report_lists_rejected_rows_and_warnings_with_row_column_and_reason(
    team: Team, tmp_path: Path
) -> None:
    text = (
        "ISRC,Title,UPC,ISWC,Duration,Release Date\n"
        "SEABC2600001,Good,036000291452,,3:30,2026-01-31\n"
        "XX-SKG-19-12345,Bad prefix,,,,\n"
        "SEABC2600003,Bad barcode,036000291453,,,\n"
        "SEABC2600004,Bad work,,T-034.524.680-2,,\n"
        "SEABC2600005,Bad duration,,,three minutes,\n"
        "SEABC2600006,Too,many,cells,here,now,extra\n"
        ",No identifiers,,,,\n"
        "SEABC2600008,,,,,\n"
        "SEABC2600009,Bad date,4006381333931,,,31/31/2026\n"
        ",Release only,036000291453,,,\n"
    )
    record = run_import(team, write(tmp_path, "mixed.csv", text))
    assert record.job.status == Job.Status.DONE
    assert record.rows_total == 10 and record.rows_rejected == 5
    assert record.summary["rows_with_warnings"] == 4 and record.summary["warnings"] == 4
    rows = {(r["row"], r["column"]): (r["severity"], r["reason"]) for r in report_rows(record)}
    assert (
        rows[("3", "ISRC")][0] == "rejected"
        and "not an allocated ISRC prefix" in rows[("3", "ISRC")][1]
    )
    assert rows[("4", "UPC")][0] == "warning" and "check digit" in rows[("4", "UPC")][1]
    assert "nothing was linked to this release" in rows[("4", "UPC")][1]
    assert rows[("5", "ISWC")][0] == "warning" and "check digit" in rows[("5", "ISWC")][1]
    assert (
        rows[("6", "Duration")][0] == "warning" and "not a duration" in rows[("6", "Duration")][1]
    )
    assert rows[("7", "")][0] == "rejected" and "7 cells" in rows[("7", "")][1]
    assert rows[("8", "ISRC")][0] == "rejected" and "neither an ISRC" in rows[("8", "ISRC")][1]
    assert rows[("9", "Title")][0] == "rejected" and "needs a title" in rows[("9", "Title")][1]
    assert rows[("10", "Release Date")][0] == "warning"
    assert "not a date" in rows[("10", "Release Date")][1]
    assert rows[("11", "UPC")][0] == "rejected"  # a release-only row has nothing else to keep
    recordings = Recording.objects.for_label(team.label).select_related("work")
    assert sorted(recordings.values_list("isrc", flat=True)) == [
        "SEABC2600001",
        "SEABC2600003",
        "SEABC2600004",
        "SEABC2600005",
        "SEABC2600009",
    ]
    assert recordings.get(isrc="SEABC2600004").work is None
    assert recordings.get(isrc="SEABC2600005").duration_ms is None
    # Only the good barcodes became releases; the bad one links nothing.
    releases = {
        r.upc: (str(r.release_date), [t.recording.isrc for t in r.tracks.all()])
        for r in Release.objects.for_label(team.label)
    }
    assert releases == {
        "0036000291452": ("2026-01-31", ["SEABC2600001"]),
        "4006381333931": ("None", ["SEABC2600009"]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "text", "encoding"),
    [
        (
            "fuga.csv",
            "\ufeffAsset ISRC;Asset Title;Asset Artist;Product UPC;Product Title\n"
            "SEABC2600001;Café;Band;036000291452;Album\n",
            "utf-8",
        ),
        (
            "distrokid.tsv",
            "Reporting Date\tStore\tArtist\tTitle\tISRC\tUPC\tQuantity\tTeam Percentage\n"
            "2026-01-01\tSpotify\tBand\tCafé\tSEABC2600001\t36000291452\t3\t100\n"
            "2026-01-01\tApple\tBand\tCafé\tSEABC2600001\t36000291452\t1\t100\n",
            "latin-1",
        ),
        (
            "cdbaby.txt",
            "Report Date\tQuantity\tIsrc\tBarcode\tAlbum Name\tArtist Name\tTrack Name\n"
            '3/1/2024 12:00:00 AM\t1\tseabc2600001\t"036000291452"\tAlbum\tBand\tCafé\n',
            "cp1252",
        ),
    ],
)
def test_it_reads_distributor_exports_whatever_their_dialect(
    team: Team, tmp_path: Path, name: str, text: str, encoding: str
) -> None:
    record = run_import(team, write(tmp_path, name, text, encoding))
    assert record.job.status == Job.Status.DONE, record.job.error
    assert record.rows_rejected == 0
    recording = Recording.objects.for_label(team.label).get()
    assert (recording.isrc, recording.title) == ("SEABC2600001", "Café")
    assert Release.objects.for_label(team.label).get().upc == "0036000291452"
    assert ReleaseTrack.objects.for_label(team.label).count() == 1


@pytest.mark.django_db
def test_a_label_can_name_its_own_columns(team: Team, tmp_path: Path) -> None:
    path = write(tmp_path, "own.csv", "Track Code,Song Name\nSEABC2600001,Mine\n")
    failed = run_import(team, path)
    assert failed.job.status == Job.Status.FAILED
    assert "No ISRC or UPC column" in failed.job.error and "Track Code" in failed.job.error
    column_aliases_update(label=team.label, actor=team.owner, aliases={"isrc": ["Track Code"]})
    assert run_import(team, path).job.status == Job.Status.DONE
    assert Recording.objects.for_label(team.label).get().title == "Mine"


@pytest.mark.django_db
def test_it_imports_a_ddex_ern_43_message(team: Team) -> None:
    record = run_import(team, SAMPLES / "ern43.xml")
    assert record.format == "ddex" and record.job.status == Job.Status.DONE, record.job.error
    first = Recording.objects.for_label(team.label).select_related("work").get(isrc="USRC17607839")
    assert (first.title, first.version, first.display_artist, first.duration_ms) == (
        "First Song",
        "Radio Edit",
        "The Example Band",
        210_000,
    )
    assert first.p_line == "(P) 2026 Example Records Ltd" and first.work.iswc == "T0345246801"
    second = Recording.objects.for_label(team.label).get(isrc="USRC17607840")
    assert second.display_artist == "The Example Band"  # resolved through the PartyList
    album = Release.objects.for_label(team.label).get(upc="0036000291452")
    assert (album.title, album.release_type, album.catalog_number, album.territories) == (
        "First Album",
        "album",
        "EX-001",
        ["Worldwide"],
    )
    assert album.c_line == "(C) 2026 Example Records Ltd"
    assert [t.recording.isrc for t in album.tracks.order_by("track_number")] == [
        "USRC17607839",
        "USRC17607840",
    ]
    [error] = report_rows(record)
    assert error["column"] == "SoundRecording[A3]/ISRC" and "XX" in error["reason"]


@pytest.mark.django_db
def test_it_imports_a_ddex_ern_38_message(team: Team) -> None:
    record = run_import(team, SAMPLES / "ern38.xml")
    assert record.job.status == Job.Status.DONE, record.job.error
    recording = Recording.objects.for_label(team.label).select_related("work").get()
    assert (recording.isrc, recording.title, recording.display_artist, recording.duration_ms) == (
        "GBAYE0601498",
        "Northern Road",
        "Fjord Lights",
        195_000,
    )
    assert recording.work.iswc == "T1019142324"
    release = Release.objects.for_label(team.label).get()  # the TrackRelease is not a product
    assert (release.upc, release.release_type, str(release.release_date)) == (
        "4006381333931",
        "single",
        "2006-05-01",
    )
    assert release.territories == ["SE", "NO"] and release.display_artist == "Fjord Lights"
    assert release.tracks.get().recording == recording
    assert record.rows_rejected == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            "<NewReleaseMessage><ResourceList/>&lol2;</NewReleaseMessage>",
            "DOCTYPE",
        ),
        ("<NewReleaseMessage><ResourceList></NewReleaseMessage>", "not well-formed"),
        ("<html><body>not ddex</body></html>", "not a DDEX ERN message"),
    ],
)
def test_unsafe_or_broken_xml_fails_the_job_with_a_reason(
    team: Team, tmp_path: Path, text: str, fragment: str
) -> None:
    record = run_import(team, write(tmp_path, "message.xml", text))
    assert record.job.status == Job.Status.FAILED
    assert fragment in record.job.error
    assert Recording.objects.for_label(team.label).count() == 0


@pytest.mark.django_db
def test_the_upload_page_starts_an_import_and_shows_its_result(team: Team) -> None:
    client = team.client_for(team.a_r)
    upload = SimpleUploadedFile("catalog.csv", CLEAN_CSV.encode(), content_type="text/csv")
    response = client.post(
        reverse("catalog:imports", args=[team.label.slug]), {"file": upload, "format": "auto"}
    )
    assert response.status_code == 302
    record = CatalogImport.objects.for_label(team.label).get()
    assert record.source.sha256 and record.source_name == "catalog.csv"
    assert record.awaiting_confirmation  # the preview comes first
    preview = client.get(response["Location"])
    choices = {name: field.initial for name, field in preview.context["form"].fields.items()}
    confirmed = client.post(
        reverse("catalog:import_confirm", args=[team.label.slug, record.code]), choices
    )
    assert confirmed.status_code == 302
    record.refresh_from_db()
    job_execute(code=str(record.job.code))
    page = client.get(response["Location"])
    assert page.status_code == 200 and "3 new" in page.content.decode()
    assert client.get(reverse("catalog:imports", args=[team.label.slug])).status_code == 200


@pytest.mark.django_db
def test_the_api_starts_an_import_and_serves_its_report(team: Team) -> None:
    client = team.client_for(team.owner)
    url = f"/api/v1/labels/{team.label.slug}/imports/"
    upload = SimpleUploadedFile(
        "bad.csv", b"ISRC,Title\nXX-SKG-19-12345,Bad\n", content_type="text/csv"
    )
    response = client.post(url, {"file": upload})
    assert response.status_code == 202, response.content
    body = response.json()
    # Location names the import itself; it answers while the job waits.
    waiting = assert_pollable(client, response, same_id=body["id"])
    assert waiting.status_code == 200 and waiting.json()["job"]["status"] == "pending"
    job_execute(code=body["job"]["id"])
    done = client.get(response["Location"]).json()
    assert done["rows_rejected"] == 1 and done["job"]["status"] == "done"
    report = client.get(done["error_report"])
    assert report.status_code == 200
    assert b"not an allocated ISRC prefix" in b"".join(report.streaming_content)  # type: ignore[attr-defined]
    assert client.post(url, {}).status_code == 400


@pytest.mark.django_db
def test_the_command_runs_the_import_and_fails_loudly(
    team: Team, tmp_path: Path, capsys: Any
) -> None:
    path = write(tmp_path, "catalog.csv", CLEAN_CSV + "XX-SKG-19-12345,Bad,,,,,\n")
    call_command("import_catalog", team.label.slug, str(path))
    out = capsys.readouterr().out
    assert "4 rows read, 1 rejected" in out and "Rejected rows" in out
    assert Recording.objects.for_label(team.label).count() == 3
    with pytest.raises(CommandError, match="No ISRC or UPC column"):
        call_command("import_catalog", team.label.slug, str(write(tmp_path, "x.csv", "a,b\n1,2\n")))
    with pytest.raises(CommandError, match="No active label"):
        call_command("import_catalog", "nope", str(path))


@pytest.mark.django_db
def test_csv_export_neutralises_formulas_and_holds_only_this_label(team: Team) -> None:
    from catalog.entities import ENTITIES
    from catalog.services.entities import entity_create

    for title in ('=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)", "\tTab", "Plain"):
        entity_create(
            entity=ENTITIES["recording"], label=team.label, actor=team.owner, data={"title": title}
        )
    entity_create(
        entity=ENTITIES["recording"],
        label=team.other_label,
        actor=team.outsider,
        data={"title": "Secret of label B"},
    )
    client = team.client_for(team.viewer)
    response = client.get(reverse("catalog:export", args=[team.label.slug, "recordings"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    titles = [row["title"] for row in csv.DictReader(io.StringIO(text))]
    assert sorted(titles) == sorted(
        ['\'=HYPERLINK("http://evil")', "'+1", "'-2", "'@SUM(A1)", "'\tTab", "Plain"]
    )
    assert "Secret of label B" not in text
    api = client.get(f"/api/v1/labels/{team.label.slug}/export/", {"kind": "bogus"})
    assert api.status_code == 400 and json.loads(api.content)["error"]["fields"]["kind"]
