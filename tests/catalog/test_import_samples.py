"""Imports of published DDEX ERN 4.3 sample messages and of a distributor-style CSV with
the defects real exports have (see samples/ddex/SOURCE.md for where the messages come
from). The expected counts were read from the files themselves, not from the importer."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from catalog.models import Recording, Release, ReleaseTrack
from optout.models import Job
from tests.catalog.test_imports import SAMPLES, report_rows, run_import
from tests.conftest import Team

DDEX = SAMPLES / "ddex"


def _sound_recording_isrcs(path: Path) -> list[str]:
    """ISRCs of the message's SoundRecordings, in file order, read with plain XPath."""
    root = etree.parse(str(path)).getroot()
    found = root.xpath("//*[local-name()='SoundRecording']//*[local-name()='ISRC']/text()")
    assert isinstance(found, list)
    return [str(isrc) for isrc in found]


@pytest.mark.django_db
def test_ddex_sample_audio_album_imports_every_track(team: Team) -> None:
    path = DDEX / "ern43-1-audio.xml"
    isrcs = _sound_recording_isrcs(path)
    assert len(isrcs) == 21
    record = run_import(team, path)
    assert record.job.status == Job.Status.DONE, record.job.error
    assert (record.rows_total, record.rows_rejected, record.summary["warnings"]) == (21, 0, 0)
    assert record.error_report is None and record.summary["notes"] == []
    assert sorted(Recording.objects.for_label(team.label).values_list("isrc", flat=True)) == sorted(
        isrcs
    )
    album = Release.objects.for_label(team.label).get()
    # ICPN 00094631432057 (a GTIN-14 with a leading zero) is stored as its GTIN-13.
    assert (album.upc, album.title, album.release_type, album.display_artist) == (
        "0094631432057",
        "Yume no Hajmari",
        "album",
        "Saeko Shu",
    )
    assert album.territories == ["JP"] and str(album.release_date) == "2004-04-01"
    tracks = list(album.tracks.order_by("track_number").select_related("recording"))
    assert [t.recording.isrc for t in tracks] == isrcs
    assert [t.track_number for t in tracks] == list(range(1, 22))
    first = Recording.objects.for_label(team.label).get(isrc="JPTO09404900")
    assert (first.title, first.duration_ms, first.p_line) == (
        "Yume no Lullaby",
        148_000,
        "(P) 1994 EMI Music Japan Inc.",
    )


@pytest.mark.django_db
def test_ddex_sample_mixed_media_keeps_14_recordings_despite_a_bad_release_barcode(
    team: Team,
) -> None:
    path = DDEX / "ern43-3-mixedmedia.xml"
    isrcs = _sound_recording_isrcs(path)
    assert len(isrcs) == 14
    record = run_import(team, path)
    assert record.job.status == Job.Status.DONE, record.job.error
    # The bundle's ICPN 05099907138655 fails the GS1 check digit: every recording is kept,
    # each of the 14 rows carries one warning, and no release is made or linked.
    assert (record.rows_total, record.rows_rejected) == (14, 0)
    assert (record.summary["warnings"], record.summary["rows_with_warnings"]) == (14, 14)
    assert sorted(Recording.objects.for_label(team.label).values_list("isrc", flat=True)) == sorted(
        isrcs
    )
    assert not Release.objects.for_label(team.label).exists()
    assert not ReleaseTrack.objects.for_label(team.label).exists()
    report = report_rows(record)
    assert {(r["severity"], r["column"], r["value"]) for r in report} == {
        ("warning", "Release[R0]/ReleaseId/ICPN", "05099907138655")
    }
    assert "check digit" in report[0]["reason"]
    # The sample wraps its ℗ lines over several lines; they are stored as one line.
    first = Recording.objects.for_label(team.label).get(isrc="DEC610900439")
    assert first.p_line == (
        "(P) 2009 The copyright in this sound recording is owned by "
        "Frömelt/Zimmermann/Rötgens/Wessling at Xtreme Sound Cologne under exclusive licence "
        "to EMI Music Catalogue Marketing, a division of EMI Music Germany GmbH & Co.KG"
    )


@pytest.mark.django_db
def test_ddex_sample_simple_audio_single_is_found_by_its_grid(team: Team) -> None:
    path = DDEX / "ern43-4-simpleaudiosingle.xml"
    assert _sound_recording_isrcs(path) == ["GBAYC1700598"]
    record = run_import(team, path)
    assert record.job.status == Job.Status.DONE, record.job.error
    assert (record.rows_total, record.rows_rejected, record.summary["warnings"]) == (1, 0, 0)
    # The release has a GRid and a proprietary id, no ICPN of its own.
    single = Release.objects.for_label(team.label).get()
    assert (single.upc, single.grid, single.proprietary_namespace, single.proprietary_id) == (
        "",
        "A10302B0003989564F",
        "PADPIDA2007050901U",
        "GBAYC1700598",
    )
    assert (single.title, single.release_type, str(single.release_date)) == (
        "RIOPY: I Love You",
        "single",
        "2017-04-25",
    )
    assert len(single.territories) == 249  # every ISO 3166-1 code, listed one by one
    assert single.tracks.get().recording.isrc == "GBAYC1700598"
    again = run_import(team, path)
    assert again.summary["releases_inserted"] == 0 and again.summary["releases_updated"] == 0
    assert Release.objects.for_label(team.label).count() == 1


@pytest.mark.django_db
def test_a_distributor_csv_with_real_defects_keeps_the_good_rows(team: Team) -> None:
    path = SAMPLES / "distributor-catalog.csv"
    raw = path.read_bytes()
    # The defects are in the file itself: BOM, CRLF, a zero-width space in an ISRC, a UPC
    # in scientific notation, a bad ISWC check digit, day/month dates.
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert "SE\u200bABC2400002".encode() in raw and b"8.59727E+11" in raw
    assert b"T-034.524.680-2" in raw and b"25/12/2024" in raw
    record = run_import(team, path)
    assert record.job.status == Job.Status.DONE, record.job.error
    assert (record.rows_total, record.rows_rejected, record.summary["warnings"]) == (6, 1, 2)
    report = {(r["row"], r["severity"], r["column"]): r for r in report_rows(record)}
    assert set(report) == {
        ("4", "warning", "ISWC"),
        ("5", "warning", "UPC"),
        ("7", "rejected", "Optional ISRC"),
    }
    assert "scientific notation" in report[("5", "warning", "UPC")]["reason"]
    assert report[("5", "warning", "UPC")]["value"] == "8.59727E+11"
    recordings = Recording.objects.for_label(team.label).select_related("work")
    assert sorted(recordings.values_list("isrc", flat=True)) == [
        "SEABC2400001",
        "SEABC2400002",
        "SEABC2400003",
        "SEABC2400004",
        "SEABC2400005",
    ]
    assert recordings.get(isrc="SEABC2400001").work.iswc == "T0345246801"
    assert recordings.get(isrc="SEABC2400003").work is None
    releases = {
        r.upc: (str(r.release_date), [t.recording.isrc for t in r.tracks.order_by("track_number")])
        for r in Release.objects.for_label(team.label)
    }
    # 25/12 and 13/04 can only be day/month, so 04/03/2024 is 4 March.
    assert releases == {
        "0036000291452": ("2024-03-04", ["SEABC2400001", "SEABC2400002", "SEABC2400003"]),
        "4006381333931": ("2024-04-13", ["SEABC2400005"]),
    }
